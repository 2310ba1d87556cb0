/**
 * `--compare REF`: the same workload, on the same scripted model, played by two builds — REF's and
 * this checkout's — in one bench run, their runs interleaved (REF, HEAD, HEAD, REF, ...) so that
 * a machine getting busier or quieter weighs on both alike. On a shared machine absolute times
 * swing from run to run; the ratio within one interleaved run is the figure to read.
 */
import { measure, type RunFigures } from './measure.js';
import { medianRun } from './report.js';
import { runOnce, type HarnessBuild, type RawRun } from './run-once.js';
import type { Workload } from './workloads.js';

export interface CompareOptions {
  base: HarnessBuild;
  head: HarnessBuild;
  runs: number;
  modelDelayMs: number;
  keep: boolean;
  /** The workload both builds play (default: the two-phase one). */
  workload?: Workload;
  log: (line: string) => void;
}

export interface Side {
  build: HarnessBuild;
  runs: RunFigures[];
  median: RunFigures;
}

export interface Comparison {
  base: Side;
  head: Side;
  /** head / base per run pair, for the wall time (the figure that swings). */
  wallRatios: number[];
}

/** REF first in odd pairs, HEAD first in even ones. */
export function interleaving(runs: number): ('base' | 'head')[] {
  const order: ('base' | 'head')[] = [];
  for (let i = 0; i < runs; i++)
    order.push(...(i % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const)));
  return order;
}

export async function compareBuilds(options: CompareOptions): Promise<Comparison> {
  const figures: Record<'base' | 'head', RunFigures[]> = { base: [], head: [] };
  const order = interleaving(options.runs);
  for (const [index, side] of order.entries()) {
    const build = options[side];
    options.log(`bench: run ${index + 1}/${order.length}: ${build.label}…`);
    const raw: RawRun = await runOnce({
      build,
      modelDelayMs: options.modelDelayMs,
      keep: options.keep,
      ...(options.workload ? { workload: options.workload } : {}),
    });
    const run = measure(raw);
    figures[side].push(run);
    if (options.keep) options.log(`bench: repo kept at ${raw.repo}`);
    if (!run.pathsOk || raw.exitCode !== 0)
      options.log(`bench: ${build.label} did not go as scripted (exit ${raw.exitCode}); its output:\n${raw.output}`);
  }
  const side = (name: 'base' | 'head'): Side => ({
    build: options[name],
    runs: figures[name],
    median: medianRun(figures[name]),
  });
  const wallRatios = figures.head.map((run, i) => perTaskWall(run) / perTaskWall(figures.base[i]!));
  return { base: side('base'), head: side('head'), wallRatios };
}

export const perTaskWall = (run: RunFigures): number => run.wallMs / Math.max(1, run.tasksCompleted);

interface Row {
  label: string;
  of: (run: RunFigures) => number | undefined;
  format: (value: number) => string;
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const ROWS: readonly Row[] = [
  { label: 'request body bytes', of: (r) => r.bodyBytesPerTask, format: kb },
  { label: 'bytes past a prefix cache', of: (r) => r.uncachedBytesPerTask, format: kb },
  { label: 'model requests', of: (r) => r.modelRequestsPerTask, format: (v) => v.toFixed(1) },
  { label: 'harness prompt bytes', of: (r) => r.promptBytesPerTask, format: kb },
  { label: 'wall time', of: perTaskWall, format: (v) => `${(v / 1000).toFixed(2)} s` },
  { label: 'memory, mean PSS', of: (r) => r.memory?.meanPssMiB, format: (v) => `${v.toFixed(0)} MiB` },
  { label: 'memory, peak PSS', of: (r) => r.memory?.peakPssMiB, format: (v) => `${v.toFixed(0)} MiB` },
];

export function formatComparison(comparison: Comparison): string {
  const { base, head } = comparison;
  const rows = ROWS.map((row) => {
    const a = row.of(base.median);
    const b = row.of(head.median);
    const ratio = a === undefined || b === undefined || a === 0 ? '' : (b / a).toFixed(2);
    return [row.label, a === undefined ? '–' : row.format(a), b === undefined ? '–' : row.format(b), ratio];
  });
  const header = ['per completed task', base.build.label, head.build.label, 'ratio'];
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const ratios = comparison.wallRatios.map((ratio) => ratio.toFixed(2)).join(', ');
  const memory = (side: Side) =>
    side.median.memory
      ? `${side.build.label}: harness ${side.median.memory.meanByKindMiB.harness.toFixed(0)} MiB, ` +
        `pi ${side.median.memory.meanByKindMiB.pi.toFixed(0)} MiB, guardians ${side.median.memory.meanByKindMiB.guardian.toFixed(0)} MiB`
      : `${side.build.label}: no memory figures (not Linux)`;
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    `Medians of ${base.runs.length} interleaved runs each. Wall-time ratio of each pair (${head.build.label} / ${base.build.label}): ${ratios}.`,
    `Mean PSS by process: ${memory(base)}; ${memory(head)}.`,
    `Tasks completed: ${base.build.label} ${base.median.tasksCompleted}/${base.median.iterations}, ` +
      `${head.build.label} ${head.median.tasksCompleted}/${head.median.iterations}; paths as scripted: ` +
      `${base.build.label} ${base.runs.every((r) => r.pathsOk) ? 'yes' : 'NO'}, ${head.build.label} ${head.runs.every((r) => r.pathsOk) ? 'yes' : 'NO'}.`,
  ].join('\n');
}
