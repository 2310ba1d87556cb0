/**
 * A parallel run's workers as the journal tells them: which task each one holds, its iteration and
 * turn in flight, whether its task is still running, waits in the merge queue, was merged or went
 * back, and when its worktree went.
 */
import type { ReadEventOf } from '../decode.js';
import { newWorker, type IterationFacts, type TurnInFlight, type WorkerFacts } from './facts.js';

function workerOf(workers: Map<string, WorkerFacts>, id: string): WorkerFacts {
  let facts = workers.get(id);
  if (!facts) {
    facts = newWorker(id);
    workers.set(id, facts);
  }
  return facts;
}

export function startWorker(workers: Map<string, WorkerFacts>, event: ReadEventOf<'worker_start'>): void {
  if (!event.worker) return;
  const facts = workerOf(workers, event.worker);
  facts.iteration = event.iteration ?? null;
  facts.task = event.task ?? null;
  facts.branch = event.branch ?? null;
  facts.worktree = event.worktree ?? null;
  facts.phase = 'working';
  facts.turn = null;
  facts.queuedAt = null;
}

/** A worker's iteration_start: the iteration it is working on now (worker_start normally said so first). */
export function startWorkerIteration(workers: Map<string, WorkerFacts>, it: IterationFacts): void {
  if (!it.worker) return;
  const facts = workerOf(workers, it.worker);
  facts.iteration = it.iteration;
  facts.task = it.task ?? facts.task;
  facts.phase = 'working';
  facts.turn = null;
}

/** The worker's turn started (the same object as the run-wide latest turn in flight). */
export function startWorkerTurn(workers: Map<string, WorkerFacts>, worker: string, turn: TurnInFlight): void {
  workerOf(workers, worker).turn = turn;
}

/** The worker's own turn in flight on `iteration`, if it has one. */
export function workerTurn(
  workers: Map<string, WorkerFacts>,
  worker: string | undefined,
  iteration: number | undefined,
): TurnInFlight | undefined {
  const turn = worker === undefined ? undefined : workers.get(worker)?.turn;
  return turn && (iteration === undefined || turn.iteration === iteration) ? turn : undefined;
}

/** A worker's iteration ended: a success waits for the merge queue, anything else failed. */
export function endWorkerIteration(workers: Map<string, WorkerFacts>, it: IterationFacts): void {
  if (!it.worker) return;
  const facts = workerOf(workers, it.worker);
  if (facts.turn?.iteration === it.iteration) facts.turn = null;
  if (facts.iteration !== it.iteration) return;
  facts.phase = it.status === 'succeeded' ? 'queued' : 'failed';
  facts.queuedAt = it.status === 'succeeded' ? (it.endedAt ?? it.lastAt) : null;
}

export function addMerge(workers: Map<string, WorkerFacts>, event: ReadEventOf<'merge'>): void {
  if (!event.worker || !event.outcome) return;
  const facts = workerOf(workers, event.worker);
  facts.phase = event.outcome;
  facts.queuedAt = null;
  if (event.outcome === 'merged') {
    facts.merged = event.commit ?? null;
    facts.mergedCount += 1;
  } else if (event.outcome === 'conflict') facts.conflictCount += 1;
  else facts.verifyFailedCount += 1;
}

/**
 * A worker's worktree went. Only a known worker's own: the cleanup at a run's end and crash recovery
 * journal the merge queue's worktree and earlier runs' ones too, named by their directory.
 */
export function removeWorktree(workers: Map<string, WorkerFacts>, event: ReadEventOf<'worktree_removed'>): void {
  const facts = event.worker === undefined ? undefined : workers.get(event.worker);
  if (!facts || (event.worktree !== undefined && facts.worktree !== null && event.worktree !== facts.worktree)) return;
  facts.phase = 'removed';
  facts.turn = null;
  facts.queuedAt = null;
}
