/**
 * `npm run bench`: runs the whole loop (`pi-harness run`, real pi, real git, real `node --test`)
 * over a fixed six-task workload played by a scripted model, and reports where the time and the
 * prompt bytes go. The scripted model answers instantly, so what is left is the harness's own
 * cost per task — the part a faster model does not buy back.
 *
 *   node dist/bench/loop-bench.js [--runs N] [--json] [--model-delay-ms MS] [--keep] [--workload NAME]
 *   node dist/bench/loop-bench.js --parallel 3 [--runs K] [--model-delay-ms MS]   1 and 3 workers, interleaved
 *   node dist/bench/loop-bench.js --compare REF [--ref-dir DIR] [--runs N]   REF's build beside this one
 *   node dist/bench/loop-bench.js --memory-check 500                         memory over a long run
 */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPiCli } from '../agent/rpc/pi-launch.js';
import { VERSION } from '../version.js';
import { compareBuilds, formatComparison } from './compare.js';
import { measure, type RunFigures } from './measure.js';
import { formatMemoryCheck, memoryCheck } from './memory-check.js';
import { prepareRef } from './ref-build.js';
import { asScripted, compareParallel, formatParallelComparison } from './parallel-compare.js';
import { formatReport, medianRun } from './report.js';
import { currentBuild, runOnce } from './run-once.js';
import { workloadChoice } from './workload-choice.js';
import { DEFAULT_WORKLOAD } from './workloads.js';

function piVersion(): string {
  for (let dir = path.dirname(defaultPiCli()); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === '@earendil-works/pi-coding-agent') return pkg.version ?? '?';
    } catch {
      // no package.json at this level
    }
  }
  return '?';
}

function machine() {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${release()}`,
    node: process.version,
    piHarness: VERSION,
    pi: piVersion(),
  };
}

const USAGE =
  'usage: loop-bench [--runs N] [--json] [--model-delay-ms MS] [--keep] [--workload phases|parallel]\n' +
  '                  [--compare REF [--ref-dir DIR]] | [--parallel N[,M...]]\n' +
  '                  [--memory-check ITERATIONS [--memory-from N] [--memory-window N] [--memory-tasks N]]\n';

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      'model-delay-ms': { type: 'string', default: '0' },
      keep: { type: 'boolean', default: false },
      compare: { type: 'string' },
      'ref-dir': { type: 'string' },
      'memory-check': { type: 'string' },
      'memory-from': { type: 'string', default: '50' },
      'memory-window': { type: 'string', default: '25' },
      'memory-tasks': { type: 'string' },
      workload: { type: 'string' },
      parallel: { type: 'string' },
    },
  });
  const chosen = workloadChoice(values);
  if (typeof chosen === 'string') return chosen;
  const numbers = {
    runs: Number(values.runs),
    modelDelayMs: Number(values['model-delay-ms']),
    memoryIterations: values['memory-check'] === undefined ? undefined : Number(values['memory-check']),
    memoryFrom: Number(values['memory-from']),
    memoryWindow: Number(values['memory-window']),
    memoryTasks: values['memory-tasks'] === undefined ? undefined : Number(values['memory-tasks']),
  };
  const whole = (n: number | undefined, min: number) => n === undefined || (Number.isInteger(n) && n >= min);
  const valid =
    whole(numbers.runs, 1) &&
    Number.isFinite(numbers.modelDelayMs) &&
    numbers.modelDelayMs >= 0 &&
    whole(numbers.memoryIterations, 2) &&
    whole(numbers.memoryFrom, 1) &&
    whole(numbers.memoryWindow, 1) &&
    whole(numbers.memoryTasks, 1);
  return valid ? { ...values, ...numbers, ...chosen } : undefined;
}

type Options = Exclude<ReturnType<typeof options>, string | undefined>;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function single(opts: Options): Promise<number> {
  const figures: RunFigures[] = [];
  for (let i = 1; i <= opts.runs; i++) {
    log(`bench: run ${i}/${opts.runs}…`);
    const raw = await runOnce({
      build: currentBuild(),
      modelDelayMs: opts.modelDelayMs,
      keep: opts.keep,
      workload: opts.workload,
    });
    const run = measure(raw);
    figures.push(run);
    if (opts.keep) log(`bench: repo kept at ${raw.repo}`);
    if (!run.pathsOk || raw.exitCode !== 0)
      log(`bench: run ${i} did not go as scripted (exit ${raw.exitCode}); harness output:\n${raw.output}`);
  }
  const result = medianRun(figures);
  const context = machine();
  if (opts.json) {
    const body = {
      machine: context,
      workload: opts.workload.name,
      runs: opts.runs,
      modelDelayMs: opts.modelDelayMs,
      median: result,
      all: figures,
    };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else process.stdout.write(`${formatReport(result, opts.runs, label(context, opts))}\n`);
  return result.pathsOk && figures.every((run) => run.exitCode === 0) ? 0 : 1;
}

function label(context: ReturnType<typeof machine>, opts: Options): string {
  const delay = opts.modelDelayMs > 0 ? `, model delay ${opts.modelDelayMs} ms` : '';
  const workload = opts.workload === DEFAULT_WORKLOAD ? '' : `, ${opts.workload.name} workload`;
  return `${context.date.slice(0, 10)}, ${context.cores}× ${context.cpu}, Node ${context.node}, pi ${context.pi}${delay}${workload}`;
}

async function compare(opts: Options, ref: string): Promise<number> {
  const prepared = await prepareRef(ref, { ...(opts['ref-dir'] ? { dir: opts['ref-dir'] } : {}), log });
  try {
    const comparison = await compareBuilds({
      base: prepared.build,
      head: currentBuild(),
      runs: opts.runs,
      modelDelayMs: opts.modelDelayMs,
      keep: opts.keep,
      workload: opts.workload,
      log,
    });
    const context = machine();
    if (opts.json) {
      const body = { machine: context, ref: prepared.commit, modelDelayMs: opts.modelDelayMs, ...comparison };
      process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    } else {
      const title = `pi-harness loop benchmark — ${label(context, opts)}`;
      const sides = [comparison.base, comparison.head].map(
        (side) => `── ${side.build.label} ──\n${formatReport(side.median, side.runs.length, title)}`,
      );
      process.stdout.write(`${[...sides, '── comparison ──', formatComparison(comparison)].join('\n\n')}\n`);
    }
    const ok = (runs: RunFigures[]) => runs.every((run) => run.pathsOk && run.exitCode === 0);
    return ok(comparison.base.runs) && ok(comparison.head.runs) ? 0 : 1;
  } finally {
    await prepared.dispose();
  }
}

async function parallel(opts: Options, counts: number[]): Promise<number> {
  const comparison = await compareParallel({
    build: currentBuild(),
    counts,
    runs: opts.runs,
    modelDelayMs: opts.modelDelayMs,
    keep: opts.keep,
    log,
  });
  const context = machine();
  if (opts.json) {
    const body = { machine: context, workload: 'parallel', modelDelayMs: opts.modelDelayMs, ...comparison };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    const sides = comparison.sides.map(
      (side) =>
        `── ${side.parallel === 1 ? 'run' : `run --parallel ${side.parallel}`} ──\n` +
        formatReport(side.median, side.runs.length, label(context, opts)),
    );
    const summary = formatParallelComparison(comparison);
    process.stdout.write(`${[...sides, `── ${opts.runs} interleaved round(s) ──`, summary].join('\n\n')}\n`);
  }
  return comparison.sides.every((side) => side.runs.every(asScripted)) ? 0 : 1;
}

async function memory(opts: Options, iterations: number): Promise<number> {
  const check = await memoryCheck({
    build: currentBuild(),
    iterations,
    from: opts.memoryFrom,
    window: opts.memoryWindow,
    tasks: opts.memoryTasks,
    log,
  });
  if (opts.json) process.stdout.write(`${JSON.stringify({ machine: machine(), ...check }, null, 2)}\n`);
  else process.stdout.write(`${formatMemoryCheck(check, `${label(machine(), opts)}, HEAD`)}\n`);
  return check.flat && check.exitCode === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const opts = options();
  if (typeof opts !== 'object') {
    process.stderr.write(`${opts === undefined ? '' : `loop-bench: ${opts}\n`}${USAGE}`);
    return 2;
  }
  if (opts.memoryIterations !== undefined) return memory(opts, opts.memoryIterations);
  if (opts.compare !== undefined) return compare(opts, opts.compare);
  if (opts.counts.length > 0) return parallel(opts, opts.counts);
  return single(opts);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
