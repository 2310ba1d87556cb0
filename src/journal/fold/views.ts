/**
 * Read-only views of the fold that several views share — `status`, the dashboard server and the
 * page in the browser: the tasks by phase with their status, the budgets used against their limits,
 * one row per iteration, and the per-iteration series the charts draw. Pure functions of the fold,
 * no Node imports, so the browser computes exactly what the server does.
 */
import type { BudgetKind } from '../../vocabulary/budgets.js';
import { isFailureStatus } from '../../vocabulary/iterations.js';
import { addUsage, emptyUsage, type TokenUsage } from '../../vocabulary/turns.js';
import type { IterationFacts } from './facts.js';
import type { JournalFold } from './fold.js';
import { heldByWorker, workersInFlight } from './worker-views.js';

export type TaskStatus = 'done' | 'current' | 'parked' | 'failed' | 'open';

export interface TaskView {
  id: string;
  text: string;
  line: number;
  status: TaskStatus;
  /** Iterations this run spent on it. */
  iterations: number;
  /** Why it is parked, or how its last iteration ended. */
  note: string | null;
}

export interface PhaseView {
  phase: string | null;
  tasks: TaskView[];
}

function taskStatus(
  fold: JournalFold,
  entry: JournalFold['taskList'][number],
): { status: TaskStatus; note: string | null } {
  const outcome = fold.tasks.get(entry.id);
  if (fold.current?.task?.id === entry.id) return { status: 'current', note: null };
  if (heldByWorker(fold, entry.id)) return { status: 'current', note: null };
  if (entry.done) return { status: 'done', note: null };
  if (entry.parked) return { status: 'parked', note: entry.parkReason ?? entry.parkCause ?? 'parked' };
  if (outcome && outcome.status !== 'running' && isFailureStatus(outcome.status))
    return { status: 'failed', note: `${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}` };
  return { status: 'open', note: null };
}

/** The task file by phase, in file order, each task with its status. */
export function tasksByPhase(fold: JournalFold): PhaseView[] {
  const phases: PhaseView[] = [];
  for (const entry of fold.taskList) {
    let phase = phases.at(-1);
    if (!phase || phase.phase !== entry.phase) {
      phase = { phase: entry.phase, tasks: [] };
      phases.push(phase);
    }
    const { status, note } = taskStatus(fold, entry);
    phase.tasks.push({
      id: entry.id,
      text: entry.text,
      line: entry.line,
      status,
      iterations: fold.tasks.get(entry.id)?.iterations ?? 0,
      note,
    });
  }
  return phases;
}

export function taskCounts(phases: readonly PhaseView[]): Record<TaskStatus, number> {
  const counts: Record<TaskStatus, number> = { done: 0, current: 0, parked: 0, failed: 0, open: 0 };
  for (const phase of phases) for (const task of phase.tasks) counts[task.status] += 1;
  return counts;
}

/** Tokens that count against budgets: everything the model processed or produced. */
export function budgetTokensOf(usage: TokenUsage): number {
  return usage.input + usage.output + usage.cacheRead + usage.cacheWrite;
}

/** Usage so far: ended iterations, the turns of the iteration in flight, and the turn in flight. */
export function usageSoFar(fold: JournalFold): TokenUsage {
  let usage = fold.run.usage;
  if (fold.workers.size > 0) {
    // Parallel: every worker's iteration and turn in flight (the run-wide ones are among them).
    const { iterations, turns } = workersInFlight(fold);
    for (const it of iterations) usage = addUsage(usage, it.usage);
    for (const turn of turns) usage = addUsage(usage, turn.usage);
    return usage;
  }
  if (fold.current) usage = addUsage(usage, fold.current.usage);
  if (fold.turn) usage = addUsage(usage, fold.turn.usage);
  return usage;
}

/** Usage of the run's iterations on one task, the one in flight included. */
function taskUsage(fold: JournalFold, taskId: string): TokenUsage {
  let usage = emptyUsage();
  for (const it of fold.iterations) if (it.task?.id === taskId) usage = addUsage(usage, it.usage);
  if (fold.workers.size > 0) {
    for (const turn of workersInFlight(fold).turns)
      if (fold.iteration(turn.iteration)?.task?.id === taskId) usage = addUsage(usage, turn.usage);
    return usage;
  }
  return fold.turn ? addUsage(usage, fold.turn.usage) : usage;
}

export interface BudgetView {
  kind: BudgetKind;
  used: number;
  /** 0: no limit. */
  limit: number;
}

/** Each budget: used against its limit (0 = none); `now` for the run's elapsed time. */
export function budgetsOf(fold: JournalFold, now: number): BudgetView[] {
  const limits = fold.run.budgets;
  const usage = usageSoFar(fold);
  const started = fold.run.startedAt ? Date.parse(fold.run.startedAt) : Number.NaN;
  const ended = fold.run.endedAt ? Date.parse(fold.run.endedAt) : now;
  const elapsed = Number.isNaN(started) ? 0 : Math.max(0, Math.round((ended - started) / 1000));
  const taskId = fold.current?.task?.id;
  return [
    { kind: 'run_seconds', used: elapsed, limit: limits?.maxRunSeconds ?? 0 },
    { kind: 'run_tokens', used: budgetTokensOf(usage), limit: limits?.maxRunTokens ?? 0 },
    { kind: 'run_cost', used: usage.cost, limit: limits?.maxRunCostUsd ?? 0 },
    {
      kind: 'task_tokens',
      used: taskId ? budgetTokensOf(taskUsage(fold, taskId)) : 0,
      limit: limits?.maxTaskTokens ?? 0,
    },
  ];
}

/** One iteration as a list shows it. */
export interface IterationRow {
  iteration: number;
  task: string | null;
  phase: string | null;
  status: string;
  reason: string | null;
  startedAt: string | null;
  durationMs: number | null;
  tokens: number;
  cost: number;
  verdict: string;
  verification: string;
  commit: string | null;
  rescue: string | null;
}

export function iterationRow(it: IterationFacts): IterationRow {
  return {
    iteration: it.iteration,
    task: it.task?.text ?? null,
    phase: it.task?.phase ?? null,
    status: it.ended ? (it.status ?? 'unknown') : 'running',
    reason: it.reason,
    startedAt: it.startedAt,
    durationMs: it.durationMs,
    tokens: it.usage.input + it.usage.output,
    cost: it.usage.cost,
    verdict: it.verdict,
    verification: it.verification,
    commit: it.commit?.sha ?? null,
    rescue: it.rescue?.ref ?? null,
  };
}

/** The roles the charts split time by, in the order they run. */
export const CHART_ROLES = ['developer', 'developerRetry', 'developerFix', 'tester', 'visualReview'] as const;

/** Per ended iteration, columnar (cheap to send and to draw for 10,000 iterations). */
export interface IterationSeries {
  iteration: number[];
  tokens: number[];
  seconds: number[];
  /** Agent seconds per role, one column per CHART_ROLES entry. */
  roleSeconds: number[][];
}

export function emptySeries(): IterationSeries {
  return { iteration: [], tokens: [], seconds: [], roleSeconds: CHART_ROLES.map(() => []) };
}

export function addToSeries(series: IterationSeries, it: IterationFacts): void {
  series.iteration.push(it.iteration);
  series.tokens.push(it.usage.input + it.usage.output);
  series.seconds.push(Math.round((it.durationMs ?? 0) / 100) / 10);
  CHART_ROLES.forEach((role, index) => {
    series.roleSeconds[index]!.push(Math.round((it.roleMs[role] ?? 0) / 100) / 10);
  });
}

export function seriesOf(iterations: readonly IterationFacts[]): IterationSeries {
  const series = emptySeries();
  for (const it of iterations) if (it.ended) addToSeries(series, it);
  return series;
}
