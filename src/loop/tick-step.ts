/**
 * Makes sure the iteration's task is ticked in the work tree before its commit, so the tick lands
 * in the same commit as the change. Agents are asked to tick it themselves; when they did not,
 * the harness does, changing only the checkbox byte.
 */
import { readFile } from 'node:fs/promises';
import { taskState, tickTaskById, writeTaskFileAtomic, type Task } from '../tasks/index.js';

export type TickOutcome =
  | { kind: 'already_ticked' }
  | { kind: 'ticked_by_harness' }
  /** The task's text was edited or removed, so the harness cannot tell which box is its. */
  | { kind: 'task_missing' };

export async function ensureTicked(taskFile: string, task: Pick<Task, 'id'>): Promise<TickOutcome> {
  const text = await readFile(taskFile, 'utf8');
  switch (taskState(text, task.id)) {
    case 'done':
      return { kind: 'already_ticked' };
    case 'missing':
      return { kind: 'task_missing' };
    case 'open':
      await writeTaskFileAtomic(taskFile, tickTaskById(text, task.id));
      return { kind: 'ticked_by_harness' };
  }
}
