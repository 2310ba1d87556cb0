/**
 * `npm run bench`: runs the whole loop (`pi-harness run`, real pi, real git, real `node --test`)
 * over a fixed six-task workload played by a scripted model, and reports where the time and the
 * prompt bytes go. The scripted model answers instantly, so what is left is the harness's own
 * cost per task — the part a faster model does not buy back.
 *
 *   node dist/bench/loop-bench.js [--runs N] [--json] [--model-delay-ms MS] [--keep]
 */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPiCli } from '../agent/rpc/pi-launch.js';
import { VERSION } from '../version.js';
import { measure, type RunFigures } from './measure.js';
import { formatReport, medianRun } from './report.js';
import { runOnce } from './run-once.js';

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

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      'model-delay-ms': { type: 'string', default: '0' },
      keep: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const modelDelayMs = Number(values['model-delay-ms']);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isFinite(modelDelayMs) || modelDelayMs < 0) {
    process.stderr.write('usage: loop-bench [--runs N] [--json] [--model-delay-ms MS] [--keep]\n');
    return 2;
  }

  const figures: RunFigures[] = [];
  for (let i = 1; i <= runs; i++) {
    process.stderr.write(`bench: run ${i}/${runs}…\n`);
    const raw = await runOnce({ modelDelayMs, keep: values.keep });
    const run = measure(raw);
    figures.push(run);
    if (values.keep) process.stderr.write(`bench: repo kept at ${raw.repo}\n`);
    if (!run.pathsOk || raw.exitCode !== 0) {
      process.stderr.write(
        `bench: run ${i} did not go as scripted (exit ${raw.exitCode}); harness output:\n${raw.output}\n`,
      );
    }
  }

  const result = medianRun(figures);
  const context = machine();
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ machine: context, runs, modelDelayMs, median: result, all: figures }, null, 2)}\n`,
    );
  } else {
    const label = `${context.date.slice(0, 10)}, ${context.cores}× ${context.cpu}, Node ${context.node}, pi ${context.pi}${modelDelayMs > 0 ? `, model delay ${modelDelayMs} ms` : ''}`;
    process.stdout.write(`${formatReport(result, runs, label)}\n`);
  }
  return result.pathsOk && figures.every((run) => run.exitCode === 0) ? 0 : 1;
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
