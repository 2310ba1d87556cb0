/**
 * The one interface between the scheduler and whatever runs a task's iteration: start an iteration
 * on a task at a base commit, receive its events, cancel it. The local worktree worker
 * (local-worker.ts) is the only implementation; a worker on another machine (hosted by a
 * distributed engine) implements the same three things, and the scheduler and the loop stay as
 * they are (docs/architecture.md, "Parallel tasks").
 */
import type { JournalEventBody } from '../journal/events.js';
import type { BudgetExceeded } from '../runtime/budget.js';
import type { Task } from '../tasks/index.js';
import type { EndReason, RecordedStatus } from '../vocabulary/iterations.js';

/** What a worker is asked to do: one iteration on one task, from one commit. */
export interface Assignment {
  /** Run-wide iteration number (unique across workers). */
  iteration: number;
  task: Task;
  /** The start branch's tip when the task was assigned: the worker's branch starts here. */
  baseCommit: string;
  /** Ids of the tasks open when it was assigned: the agents may tick none but theirs. */
  openAtStart: ReadonlySet<string>;
  /** Why this is a second try (a merge conflict or a failing merged verification), told to the developer. */
  redo?: string;
}

/** How a worker's iteration ended, with the commit a success left on its branch. */
export interface WorkerResult {
  recorded: RecordedStatus;
  reason: EndReason;
  /** The worker's branch tip after a success: what the merge queue takes. */
  head?: string;
  /** Where the worker's work is, whatever happened: its branch, and its worktree until it moves on. */
  branch: string;
  worktree: string;
  /** The run-wide budget that stopped the iteration, if one did. */
  exceeded?: BudgetExceeded;
}

/** Events reach the scheduler as the journal events they are; the worker's id is stamped on each. */
export type WorkerEventListener = (event: JournalEventBody & { worker: string }) => void;

export interface RunningIteration {
  readonly result: Promise<WorkerResult>;
  /** Stops the iteration as a signal would: its turn aborted, its work kept in a rescue ref. */
  cancel(reason: Error): void;
}

export interface Worker {
  readonly id: string;
  start(assignment: Assignment, onEvent?: WorkerEventListener): RunningIteration;
  /**
   * Releases what the worker kept from task to task (pi processes, its worktree once its HEAD is
   * kept), cancelling and awaiting an iteration still running. Called once, when the run ends.
   */
  close(): Promise<void>;
}
