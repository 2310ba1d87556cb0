/**
 * What the control desk does between iterations: parks and unparks the tasks operators asked for
 * (saved in state, journaled as `task_parked` / `task_unparked` and `control_applied`), and keeps
 * the journal's task list true to the task file — a new `task_list` whenever the file and the
 * run's fold disagree (at run start; after someone edits the file mid-run).
 */
import type { TaskListEntry } from '../journal/events.js';
import { isParked, parkTask, unparkTask, type HarnessState } from '../runtime/state.js';
import { loadTaskFile, type Task } from '../tasks/index.js';
import { errorMessage } from '../util/errors.js';
import type { ControlDesk, PendingTaskChange } from './control-desk.js';

function describe(task: Task): string {
  return `"${task.text}"`;
}

/** Parks or unparks one task; returns the new state. */
function applyChange(desk: ControlDesk, state: HarnessState, change: PendingTaskChange, tasks: Task[]): HarnessState {
  const open = tasks.filter((task) => !task.done);
  const task =
    change.taskId === null
      ? open.find((candidate) => !isParked(state, candidate.id))
      : tasks.find((candidate) => candidate.id === change.taskId);
  if (!task) {
    const why = change.taskId === null ? 'no open task is left to skip' : `no task ${change.taskId} in the task file`;
    desk.settle(change.requestId, 'rejected', why);
    return state;
  }
  const { journal } = desk.options;
  if (change.kind === 'unpark') {
    if (!isParked(state, task.id)) {
      desk.settle(change.requestId, 'no_effect', `${describe(task)} is not parked`, task.id);
      return state;
    }
    journal.append({ type: 'task_unparked', taskId: task.id });
    desk.settle(change.requestId, 'applied', `${describe(task)} is back in the run`, task.id);
    return unparkTask(state, task.id);
  }
  const aborted = change.abortedIteration === undefined ? '' : `iteration ${change.abortedIteration} aborted; `;
  if (task.done) {
    desk.settle(change.requestId, 'no_effect', `${aborted}${describe(task)} is done already`, task.id);
    return state;
  }
  if (isParked(state, task.id)) {
    desk.settle(change.requestId, 'no_effect', `${aborted}${describe(task)} was parked already`, task.id);
    return state;
  }
  const reason = 'skipped by the operator (pi-harness skip)';
  journal.append({ type: 'task_parked', taskId: task.id, cause: 'operator', reason });
  desk.settle(change.requestId, 'applied', `${aborted}${describe(task)} is parked`, task.id);
  return parkTask(state, task.id, reason);
}

function sameList(a: readonly TaskListEntry[], b: readonly TaskListEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((entry, index) => {
      const other = b[index]!;
      return (
        entry.id === other.id &&
        entry.text === other.text &&
        entry.phase === other.phase &&
        entry.line === other.line &&
        entry.done === other.done &&
        entry.parked === other.parked
      );
    })
  );
}

/** Journals the task file as it is now when the fold says otherwise. */
function syncTaskList(desk: ControlDesk, state: HarnessState, tasks: Task[]): void {
  const { fold, journal } = desk.options;
  const entries: TaskListEntry[] = tasks.map((task) => ({
    id: task.id,
    text: task.text,
    phase: task.phase,
    line: task.line,
    done: task.done,
    parked: !task.done && isParked(state, task.id),
  }));
  if (!sameList(entries, fold.taskList)) journal.append({ type: 'task_list', tasks: entries });
}

export async function applyBetweenIterations(desk: ControlDesk, state: HarnessState): Promise<HarnessState> {
  const { config, journal } = desk.options;
  let tasks: Task[];
  try {
    tasks = (await loadTaskFile(config.taskFile)).file.tasks;
  } catch (error) {
    // The loop itself reports an unreadable task file; task changes wait for a readable one.
    journal.append({ type: 'warning', message: `the task file could not be read: ${errorMessage(error)}` });
    return state;
  }
  const changes = desk.pendingTasks.splice(0);
  let next = state;
  for (const change of changes) next = applyChange(desk, next, change, tasks);
  if (next !== state) await desk.options.saveState(next);
  syncTaskList(desk, next, tasks);
  return next;
}
