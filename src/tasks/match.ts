/**
 * Finding a task from what a person types (`pi-harness skip "parser errors"`, `retry 3f9a2c`): its
 * id or the start of it, or words from its text. Pure; an ambiguous or unknown name is an answer
 * that says so and lists what it could have meant.
 */
import { normalizeTaskText } from './task-id.js';
import type { Task } from './types.js';

export type TaskMatch = { kind: 'found'; task: Task } | { kind: 'none' } | { kind: 'ambiguous'; candidates: Task[] };

const MIN_ID_PREFIX = 4;

function unique(candidates: Task[]): TaskMatch | undefined {
  if (candidates.length === 1) return { kind: 'found', task: candidates[0]! };
  if (candidates.length > 1) return { kind: 'ambiguous', candidates };
  return undefined;
}

export function matchTask(tasks: readonly Task[], name: string): TaskMatch {
  const wanted = normalizeTaskText(name);
  if (wanted === '') return { kind: 'none' };
  const byId = tasks.find((task) => task.id === wanted);
  if (byId) return { kind: 'found', task: byId };
  const lower = wanted.toLowerCase();
  return (
    (wanted.length >= MIN_ID_PREFIX ? unique(tasks.filter((task) => task.id.startsWith(wanted))) : undefined) ??
    unique(tasks.filter((task) => normalizeTaskText(task.text).toLowerCase() === lower)) ??
    unique(tasks.filter((task) => normalizeTaskText(task.text).toLowerCase().includes(lower))) ?? { kind: 'none' }
  );
}
