/**
 * Questions the harness asks about a task file. Functions that look a task up by id accept either
 * the raw text or an already parsed TaskFile, because the harness usually re-reads the file after
 * an agent ran (the agent or the developer may have edited it in the meantime).
 */
import { parseTasks } from './parse.js';
import type { Task, TaskFile, TaskState } from './types.js';

export type TaskSource = string | TaskFile;

function asTaskFile(source: TaskSource): TaskFile {
  return typeof source === 'string' ? parseTasks(source) : source;
}

/** The task to work on next: the first open task in file order (a parent comes before its sub-tasks). */
export function currentTask(file: TaskFile): Task | undefined {
  return file.tasks.find((task) => !task.done);
}

export function findTask(source: TaskSource, taskId: string): Task | undefined {
  return asTaskFile(source).tasks.find((task) => task.id === taskId);
}

/** Current 1-based line of the task with this id, or undefined when no task has it any more. */
export function findTaskLine(source: TaskSource, taskId: string): number | undefined {
  return findTask(source, taskId)?.line;
}

export function taskState(source: TaskSource, taskId: string): TaskState {
  const task = findTask(source, taskId);
  if (task === undefined) return 'missing';
  return task.done ? 'done' : 'open';
}

/** True only when the task is still in the file and its checkbox is ticked. */
export function isTaskTicked(source: TaskSource, taskId: string): boolean {
  return taskState(source, taskId) === 'done';
}

export interface TaskCounts {
  readonly total: number;
  readonly done: number;
  readonly open: number;
}

export function countTasks(file: TaskFile): TaskCounts {
  const done = file.tasks.filter((task) => task.done).length;
  return { total: file.tasks.length, done, open: file.tasks.length - done };
}
