/**
 * A parallel run's workers as `status`, `report` and the dashboard show them: each one's task, what
 * it is doing (its iteration's step, its place in the merge queue, or what became of its task) and
 * its turn in flight. Plain functions of the fold, like views.ts; empty for a sequential run.
 */
import type { JournalFold } from './fold.js';
import type { IterationFacts, TurnInFlight, WorkerFacts, WorkerPhase } from './facts.js';

export interface WorkerTurnView {
  role: string;
  /** The step it serves (developer, developerFix, tester…). */
  step: string;
  model: string | null;
  startedAt: string;
  elapsedMs: number;
  toolCalls: number;
  lastTool: string | null;
  tokens: number;
}

export interface WorkerView {
  worker: string;
  iteration: number | null;
  taskId: string | null;
  task: string | null;
  phase: WorkerPhase;
  /** What it is doing now, in words: `developer turn`, `verification`, `merging`, `waiting to merge (2 of 2)`… */
  step: string;
  turn: WorkerTurnView | null;
  merged: number;
  conflicts: number;
  verifyFailed: number;
}

/** The merge queue: the worker whose task is being merged, then those waiting, in the order they finished. */
export interface MergeQueueView {
  merging: string | null;
  waiting: string[];
}

export function turnView(turn: TurnInFlight, now: number): WorkerTurnView {
  const started = Date.parse(turn.startedAt);
  return {
    role: turn.role,
    step: turn.step,
    model: turn.model,
    startedAt: turn.startedAt,
    elapsedMs: Number.isNaN(started) ? 0 : Math.max(0, now - started),
    toolCalls: turn.toolCalls,
    lastTool: turn.lastTool ? `${turn.lastTool.name}${turn.lastTool.path ? ` ${turn.lastTool.path}` : ''}` : null,
    tokens: turn.usage.input + turn.usage.output,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The workers waiting for the merge queue, the one merging first (merges go one at a time, in order). */
function queued(fold: JournalFold): WorkerFacts[] {
  return [...fold.workers.values()]
    .filter((facts) => facts.phase === 'queued')
    .sort((a, b) => compareText(a.queuedAt ?? '', b.queuedAt ?? '') || (a.iteration ?? 0) - (b.iteration ?? 0));
}

export function mergeQueueOf(fold: JournalFold): MergeQueueView {
  const [merging, ...waiting] = queued(fold).map((facts) => facts.worker);
  return { merging: merging ?? null, waiting };
}

const PHASE_STEP: Record<Exclude<WorkerPhase, 'working' | 'queued'>, string> = {
  merged: 'merged',
  conflict: 'merge conflict: the task goes back to a developer',
  verify_failed: 'failed verification once merged: the task goes back to a developer',
  failed: 'iteration failed',
  removed: 'idle',
};

function stepOf(fold: JournalFold, facts: WorkerFacts, queue: MergeQueueView): string {
  if (facts.phase === 'working') return fold.iteration(facts.iteration ?? undefined)?.step ?? 'starting';
  if (facts.phase !== 'queued') return PHASE_STEP[facts.phase];
  if (queue.merging === facts.worker) return 'merging';
  const total = queue.waiting.length;
  return `waiting to merge (${queue.waiting.indexOf(facts.worker) + 1} of ${total})`;
}

/** w2 before w10. Not localeCompare with numeric: loading locale data costs a fresh `status` process. */
function byId(a: WorkerFacts, b: WorkerFacts): number {
  const number = (id: string) => Number(/\d+$/.exec(id)?.[0] ?? Number.NaN);
  const [x, y] = [number(a.worker), number(b.worker)];
  if (x !== y && !Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  return compareText(a.worker, b.worker);
}

/** Every worker of the run, in id order (w1, w2 … w10). */
export function workerViews(fold: JournalFold, now: number): WorkerView[] {
  const queue = mergeQueueOf(fold);
  return [...fold.workers.values()].sort(byId).map((facts) => ({
    worker: facts.worker,
    iteration: facts.iteration,
    taskId: facts.task?.id ?? null,
    task: facts.task?.text ?? null,
    phase: facts.phase,
    step: stepOf(fold, facts, queue),
    turn: facts.turn && facts.phase === 'working' ? turnView(facts.turn, now) : null,
    merged: facts.mergedCount,
    conflicts: facts.conflictCount,
    verifyFailed: facts.verifyFailedCount,
  }));
}

/** The iterations and turns the workers have in flight (none in a sequential run: see `fold.current`). */
export function workersInFlight(fold: JournalFold): { iterations: IterationFacts[]; turns: TurnInFlight[] } {
  const iterations: IterationFacts[] = [];
  const turns: TurnInFlight[] = [];
  for (const facts of fold.workers.values()) {
    const it = fold.iteration(facts.iteration ?? undefined);
    if (it && !it.ended) iterations.push(it);
    if (facts.turn) turns.push(facts.turn);
  }
  return { iterations, turns };
}

/** Whether a worker holds the task: working on it, or waiting to merge it (its tick comes with the merge). */
export function heldByWorker(fold: JournalFold, taskId: string): boolean {
  for (const facts of fold.workers.values())
    if ((facts.phase === 'working' || facts.phase === 'queued') && facts.task?.id === taskId) return true;
  return false;
}
