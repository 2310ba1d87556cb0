/**
 * Makes sure the iteration's task is ticked in the work tree before its commit, so the tick lands
 * in the same commit as the change, and undoes ticks the agents put on other tasks. Agents are
 * asked to tick their task themselves; when they did not, the harness does, changing only the
 * checkbox byte. The task file is read once and written at most once.
 */
import { readFile } from 'node:fs/promises';
import { parseTasks, taskState, tickTaskById, writeTaskFileAtomic, type Task } from '../tasks/index.js';
import { errorCode } from '../util/errors.js';

export type TickOutcome =
  | { kind: 'already_ticked' }
  | { kind: 'ticked_by_harness' }
  /** The task's text was edited or removed (or the whole file), so no box can be said to be its. */
  | { kind: 'task_missing'; fileMissing: boolean };

export interface SettledTicks {
  tick: TickOutcome;
  /** The texts of other tasks the agents had ticked, unticked again. */
  unticked: string[];
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Unticks tasks that were open when the iteration began and that agents ticked although they were
 * neither the iteration's task nor nested under it: only the current task was verified and
 * reviewed, and a wrongly ticked task would silently never be done.
 */
export function untickOthers(
  text: string,
  task: Pick<Task, 'id'>,
  openAtStart: ReadonlySet<string>,
): { text: string; unticked: string[] } {
  const tasks = parseTasks(text).tasks;
  // Sub-tasks nested under the iteration's task are part of it (its prompt shows them): theirs to tick.
  const own = new Set(tasks.filter((t) => t.id === task.id).map((t) => t.line));
  for (const t of tasks) if (t.parentLine !== undefined && own.has(t.parentLine)) own.add(t.line);
  const wrong = tasks.filter((other) => other.done && !own.has(other.line) && openAtStart.has(other.id));
  let next = text;
  for (const other of wrong) next = tickTaskById(next, other.id, false);
  return { text: next, unticked: wrong.map((other) => other.text) };
}

export async function settleTicks(
  taskFile: string,
  task: Pick<Task, 'id'>,
  openAtStart: ReadonlySet<string>,
): Promise<SettledTicks> {
  // An agent may have deleted the task file: that is the agent's failure, not a harness crash.
  const text = await readIfPresent(taskFile);
  if (text === undefined) return { tick: { kind: 'task_missing', fileMissing: true }, unticked: [] };
  const state = taskState(text, task.id);
  if (state === 'missing') return { tick: { kind: 'task_missing', fileMissing: false }, unticked: [] };
  const ticked = state === 'open' ? tickTaskById(text, task.id) : text;
  const settled = untickOthers(ticked, task, openAtStart);
  if (settled.text !== text) await writeTaskFileAtomic(taskFile, settled.text);
  return {
    tick: state === 'open' ? { kind: 'ticked_by_harness' } : { kind: 'already_ticked' },
    unticked: settled.unticked,
  };
}
