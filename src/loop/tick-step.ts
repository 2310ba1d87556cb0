/**
 * Makes sure the iteration's task is ticked in the work tree before its commit, so the tick lands
 * in the same commit as the change. Agents are asked to tick it themselves; when they did not,
 * the harness does, changing only the checkbox byte.
 */
import { readFile } from 'node:fs/promises';
import { parseTasks, taskState, tickTaskById, writeTaskFileAtomic, type Task } from '../tasks/index.js';

export type TickOutcome =
  | { kind: 'already_ticked' }
  | { kind: 'ticked_by_harness' }
  /** The task's text was edited or removed (or the whole file), so no box can be said to be its. */
  | { kind: 'task_missing'; fileMissing: boolean };

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function ensureTicked(taskFile: string, task: Pick<Task, 'id'>): Promise<TickOutcome> {
  // An agent may have deleted the task file: that is the agent's failure, not a harness crash.
  const text = await readIfPresent(taskFile);
  if (text === undefined) return { kind: 'task_missing', fileMissing: true };
  switch (taskState(text, task.id)) {
    case 'done':
      return { kind: 'already_ticked' };
    case 'missing':
      return { kind: 'task_missing', fileMissing: false };
    case 'open':
      await writeTaskFileAtomic(taskFile, tickTaskById(text, task.id));
      return { kind: 'ticked_by_harness' };
  }
}

/**
 * Unticks tasks that were open when the iteration began and that agents ticked although they were
 * neither the iteration's task nor nested under it: only the current task was verified and reviewed, and a wrongly ticked
 * task would silently never be done. Returns the texts of the tasks unticked.
 */
export async function untickOtherTasks(
  taskFile: string,
  task: Pick<Task, 'id'>,
  openAtStart: ReadonlySet<string>,
): Promise<string[]> {
  let text = await readIfPresent(taskFile);
  if (text === undefined) return [];
  const tasks = parseTasks(text).tasks;
  // Sub-tasks nested under the iteration's task are part of it (its prompt shows them): theirs to tick.
  const own = new Set(tasks.filter((t) => t.id === task.id).map((t) => t.line));
  for (const t of tasks) if (t.parentLine !== undefined && own.has(t.parentLine)) own.add(t.line);
  const wrong = tasks.filter((other) => other.done && !own.has(other.line) && openAtStart.has(other.id));
  if (wrong.length === 0) return [];
  for (const other of wrong) text = tickTaskById(text, other.id, false);
  await writeTaskFileAtomic(taskFile, text);
  return wrong.map((other) => other.text);
}
