/**
 * Median of several runs, and the human-readable tables. The median is taken leaf by leaf (every
 * number separately), which is what one wants for "typical cost of X" columns; the totals of a
 * median row need not add up exactly.
 */
import type { RoleFigures, RunFigures, Slice, TaskFigures } from './measure.js';
import { median } from './timing.js';

/** Median of structurally equal values: numbers are medianed, everything else comes from the first. */
function medianOf<T>(values: readonly T[]): T {
  const first = values[0] as unknown;
  if (typeof first === 'number') return median(values as unknown as number[]) as T;
  if (Array.isArray(first)) return first.map((_, i) => medianOf(values.map((value) => (value as unknown[])[i]))) as T;
  if (typeof first === 'object' && first !== null) {
    return Object.fromEntries(
      Object.keys(first).map((key) => [key, medianOf(values.map((value) => (value as Record<string, unknown>)[key]))]),
    ) as T;
  }
  return first as T;
}

export function medianRun(runs: readonly RunFigures[]): RunFigures {
  const result = medianOf(runs);
  // Booleans are not medianed: the workload is only right if it was right every time.
  return { ...result, pathsOk: runs.every((run) => run.pathsOk) };
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const kb = (bytes: number): string => (bytes / 1000).toFixed(1);
const whole = (n: number): string => String(Math.round(n));

function table(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const SLICE_HEADER = [
  'wall s',
  'model s',
  'tools s',
  'verify s',
  'overhead s',
  '(pi s',
  'harness s)',
  'prompt kB',
  'body kB',
  'requests',
];
const sliceCells = (slice: Slice): string[] => [
  seconds(slice.wallMs),
  seconds(slice.modelMs),
  seconds(slice.toolMs),
  seconds(slice.verificationMs),
  seconds(slice.overheadMs),
  seconds(slice.piMs),
  seconds(slice.harnessMs),
  kb(slice.promptBytes),
  kb(slice.bodyBytes),
  whole(slice.modelRequests),
];

function rolesTable(roles: readonly RoleFigures[], run: RunFigures): string {
  const rows = roles
    .filter((role) => role.turns > 0)
    .map((role) => [role.role, whole(role.turns), ...sliceCells(role), seconds(role.toFirstRequestMs)]);
  const verificationRuns = run.tasks.reduce((n, task) => n + task.path.split('verify').length - 1, 0);
  // Rows outside turns: only wall, the matching column, and overhead (all of it the harness's).
  const only = (label: string, count: string, ms: number, column: 'verify' | 'harness') => {
    const cells = [
      label,
      count,
      seconds(ms),
      '',
      '',
      column === 'verify' ? seconds(ms) : '',
      column === 'harness' ? seconds(ms) : '',
      '',
      column === 'harness' ? seconds(ms) : '',
    ];
    return [...cells, '', '', '', ''];
  };
  rows.push(only('verification', whole(verificationRuns), run.total.verificationMs, 'verify'));
  rows.push(only('between turns', '', run.betweenTurnsMs, 'harness'));
  rows.push(only('run start/stop', '', run.runFrameMs, 'harness'));
  rows.push(['total', '', ...sliceCells(run.total), '']);
  return table(['role', 'turns', ...SLICE_HEADER, '1st req s'], rows);
}

function tasksTable(tasks: readonly TaskFigures[]): string {
  const rows = tasks.map((task) => [`${task.iteration}. ${task.task}`, ...sliceCells(task)]);
  const paths = tasks.map(
    (task) =>
      `  ${task.iteration}. ${task.pathOk ? '' : '[UNEXPECTED] '}${task.worker ? `[${task.worker}] ` : ''}` +
      `${task.status}: ${task.path}`,
  );
  return [table(['task', ...SLICE_HEADER], rows), '', 'Paths:', ...paths].join('\n');
}

function bodyLines(run: RunFigures): string {
  const { body } = run;
  const requests = Math.max(1, run.total.modelRequests);
  const part = (label: string, bytes: number) =>
    `  ${label.padEnd(22)} ${kb(bytes).padStart(8)} kB  ${((100 * bytes) / Math.max(1, run.total.bodyBytes)).toFixed(0).padStart(3)}%  (${kb(bytes / requests)} kB per request)`;
  return [
    `Request bodies (${whole(run.total.modelRequests)} requests, ${kb(run.total.bodyBytes)} kB; largest ${kb(body.largestBodyBytes)} kB):`,
    part('system prompt', body.systemBytes),
    part('tool schemas', body.toolSchemaBytes),
    part('harness prompt', body.promptBytes),
    part('turn history', body.historyBytes),
    part('other JSON', body.otherBytes),
    `  not shared with the previous request (single-slot prefix cache): ${kb(body.uncachedBytes)} kB, ` +
      `${((100 * body.uncachedBytes) / Math.max(1, run.total.bodyBytes)).toFixed(0)}% of the bodies`,
  ].join('\n');
}

export function formatReport(run: RunFigures, runs: number, context: string): string {
  const memory = run.memory
    ? `; harness + pi processes: ${whole(run.memory.meanPssMiB)} MiB PSS on average, ${whole(run.memory.peakPssMiB)} MiB at peak ` +
      `(harness ${whole(run.memory.meanByKindMiB.harness)}, pi ${whole(run.memory.meanByKindMiB.pi)}, ` +
      `guardians ${whole(run.memory.meanByKindMiB.guardian)}; at most ${whole(run.memory.peakPiProcesses)} pi at once)`
    : '';
  return [
    `pi-harness loop benchmark — ${context}${runs > 1 ? `, median of ${runs} runs` : ''}`,
    '',
    `Tasks completed ${run.tasksCompleted}/${run.iterations} in ${seconds(run.wallMs)} s → ${run.tasksPerHour.toFixed(0)} tasks/hour${memory}`,
    ...(run.workers > 0
      ? [
          `${whole(run.workers)} workers, iterations at once: the role, task and total rows add up every worker's time ` +
            `(${seconds(run.total.wallMs)} s of work in ${seconds(run.wallMs)} s)`,
        ]
      : []),
    `Per completed task: ${kb(run.promptBytesPerTask)} kB harness prompts, ${kb(run.bodyBytesPerTask)} kB request bodies ` +
      `(${kb(run.uncachedBytesPerTask)} kB past a prefix cache), ${run.modelRequestsPerTask.toFixed(1)} model requests`,
    '',
    rolesTable(run.roles, run),
    '',
    tasksTable(run.tasks),
    '',
    bodyLines(run),
    ...(run.pathsOk ? [] : ['', 'WARNING: some task did not take its intended path; the figures are not comparable.']),
  ].join('\n');
}
