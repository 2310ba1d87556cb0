/**
 * Which tasks a parallel run may start now: the open, unparked tasks of the first phase that still
 * has one, less those already in flight or waiting to merge. A later phase starts only when the
 * phases before it are done (or parked), as in a sequential run. A sub-task belongs to its parent's
 * iteration and is never given to a worker of its own while the parent is open.
 */
import type { Task } from '../tasks/index.js';

export interface PickInput {
  /** Every task of the task file as the start branch has it now, in file order. */
  tasks: readonly Task[];
  isParked: (taskId: string) => boolean;
  /** Tasks a worker holds or the merge queue has not settled yet. */
  busy: ReadonlySet<string>;
}

export type Pick =
  | { kind: 'tasks'; tasks: Task[] }
  /** Nothing to start now, but tasks in flight may still settle and open more. */
  | { kind: 'wait' }
  | { kind: 'all_done' }
  | { kind: 'all_parked'; parked: number };

export function pickTasks(input: PickInput): Pick {
  const open = input.tasks.filter((task) => !task.done);
  const workable = open.filter((task) => !input.isParked(task.id));
  if (workable.length === 0) {
    if (input.busy.size > 0) return { kind: 'wait' };
    return open.length > 0 ? { kind: 'all_parked', parked: open.length } : { kind: 'all_done' };
  }
  const phase = workable[0]!.phase;
  const openParents = new Set(open.map((task) => task.line));
  const ready = workable.filter(
    (task) =>
      task.phase === phase &&
      !input.busy.has(task.id) &&
      (task.parentLine === undefined || !openParents.has(task.parentLine)),
  );
  return ready.length > 0 ? { kind: 'tasks', tasks: ready } : { kind: 'wait' };
}
