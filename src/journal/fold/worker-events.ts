/**
 * A parallel run's workers as the journal tells them: which task each one holds, whether its task
 * is still running, waits in the merge queue, was merged or went back, and when its worktree went.
 */
import type { ReadEventOf } from '../decode.js';
import type { IterationFacts, WorkerFacts } from './facts.js';

function workerOf(workers: Map<string, WorkerFacts>, id: string): WorkerFacts {
  let facts = workers.get(id);
  if (!facts) {
    facts = {
      worker: id,
      iteration: null,
      task: null,
      branch: null,
      worktree: null,
      phase: 'working',
      merged: null,
      mergedCount: 0,
    };
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
}

/** A worker's iteration ended: a success waits for the merge queue, anything else failed. */
export function endWorkerIteration(workers: Map<string, WorkerFacts>, it: IterationFacts): void {
  if (!it.worker) return;
  const facts = workerOf(workers, it.worker);
  if (facts.iteration !== it.iteration) return;
  facts.phase = it.status === 'succeeded' ? 'queued' : 'failed';
}

export function addMerge(workers: Map<string, WorkerFacts>, event: ReadEventOf<'merge'>): void {
  if (!event.worker || !event.outcome) return;
  const facts = workerOf(workers, event.worker);
  facts.phase = event.outcome;
  if (event.outcome === 'merged') {
    facts.merged = event.commit ?? null;
    facts.mergedCount += 1;
  }
}

export function removeWorktree(workers: Map<string, WorkerFacts>, event: ReadEventOf<'worktree_removed'>): void {
  if (!event.worker) return;
  workerOf(workers, event.worker).phase = 'removed';
}
