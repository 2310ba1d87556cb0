/**
 * `--parallel N[,M...]`: the parallel workload run one task at a time (`run`) and with N workers at
 * once (`run --parallel N`) in one bench run, the counts' runs interleaved — 1, N in odd rounds, N, 1
 * in even ones — so that a machine getting busier or quieter weighs on every count alike. The figure
 * to read is the wall-time ratio N workers / one worker, per round and for the medians.
 */
import { measure, type RunFigures } from './measure.js';
import { medianRun } from './report.js';
import { runOnce, type HarnessBuild } from './run-once.js';
import { WORKLOADS } from './workloads.js';

export interface ParallelOptions {
  build: HarnessBuild;
  /** Worker counts beside 1, e.g. [3]; 1 is always run too (the baseline). */
  counts: number[];
  /** Rounds: each runs every count once. */
  runs: number;
  modelDelayMs: number;
  keep: boolean;
  log: (line: string) => void;
}

export interface ParallelSide {
  parallel: number;
  runs: RunFigures[];
  median: RunFigures;
}

export interface ParallelRatio {
  parallel: number;
  /** Wall time with `parallel` workers / with one, within each round. */
  rounds: number[];
  /** Of the medians' wall times. */
  median: number;
}

export interface ParallelComparison {
  sides: ParallelSide[];
  ratios: ParallelRatio[];
}

/** The counts to run, baseline first: 1 and every other count once, in rising order. */
export function parallelCounts(counts: readonly number[]): number[] {
  return [...new Set([1, ...counts])].sort((a, b) => a - b);
}

/** The order of the runs: each round runs every count, odd rounds rising and even ones falling. */
export function parallelOrder(counts: readonly number[], runs: number): number[] {
  const rising = parallelCounts(counts);
  const order: number[] = [];
  for (let round = 0; round < runs; round++) order.push(...(round % 2 === 0 ? rising : [...rising].reverse()));
  return order;
}

export async function compareParallel(options: ParallelOptions): Promise<ParallelComparison> {
  const figures = new Map<number, RunFigures[]>(parallelCounts(options.counts).map((count) => [count, []]));
  const order = parallelOrder(options.counts, options.runs);
  for (const [index, parallel] of order.entries()) {
    options.log(`bench: run ${index + 1}/${order.length}: parallel workload, ${parallel} worker(s)…`);
    const raw = await runOnce({
      build: options.build,
      workload: WORKLOADS.parallel,
      parallel,
      modelDelayMs: options.modelDelayMs,
      keep: options.keep,
    });
    const run = measure(raw);
    figures.get(parallel)!.push(run);
    if (options.keep) options.log(`bench: repo kept at ${raw.repo}`);
    if (!run.pathsOk || raw.exitCode !== 0)
      options.log(
        `bench: ${parallel} worker(s) did not go as scripted (exit ${raw.exitCode}); its output:\n${raw.output}`,
      );
  }
  const sides = [...figures].map(([parallel, runs]) => ({ parallel, runs, median: medianRun(runs) }));
  return { sides, ratios: wallRatios(sides) };
}

/** Each count's wall time against one worker's: round by round, and of the medians. */
export function wallRatios(sides: readonly ParallelSide[]): ParallelRatio[] {
  const baseline = sides.find((side) => side.parallel === 1);
  if (!baseline) return [];
  return sides
    .filter((side) => side.parallel !== 1)
    .map((side) => ({
      parallel: side.parallel,
      rounds: side.runs.map((run, i) => run.wallMs / baseline.runs[i]!.wallMs),
      median: side.median.wallMs / baseline.median.wallMs,
    }));
}

/** Every run went as scripted: the run succeeded and each task took its intended path. */
export const asScripted = (run: RunFigures): boolean => run.pathsOk && run.exitCode === 0;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** What went off the script in one run: its exit code and each task not on its path. */
function offScript(run: RunFigures, index: number): string[] {
  const tasks = run.tasks.filter((task) => !task.pathOk);
  return [
    `    run ${index + 1}: exit ${run.exitCode}, ${run.tasksCompleted}/${run.iterations} tasks completed`,
    ...tasks.map((task) => `      ${task.iteration}. ${task.task} — ${task.status}: ${task.path || '(no steps)'}`),
  ];
}

export function formatParallelComparison(comparison: ParallelComparison): string {
  const lines: string[] = [];
  for (const side of comparison.sides) {
    const ratio = comparison.ratios.find((r) => r.parallel === side.parallel);
    const completed = side.runs.map((run) => `${run.tasksCompleted}/${run.iterations}`).join(', ');
    lines.push(
      `${side.parallel} worker(s): wall ${side.runs.map((run) => seconds(run.wallMs)).join(', ')} (median ` +
        `${seconds(side.median.wallMs)})${ratio ? `; ratio to 1 worker ${ratio.median.toFixed(2)} (median), ` + `rounds ${ratio.rounds.map((r) => r.toFixed(2)).join(', ')}` : ''}`,
      `  tasks completed ${completed}; paths as scripted: ` +
        `${side.runs.every(asScripted) ? 'yes' : 'NO (its figures and ratios are not comparable)'}`,
      ...side.runs.flatMap((run, i) => (asScripted(run) ? [] : offScript(run, i))),
    );
  }
  return lines.join('\n');
}
