/**
 * The recent iterations of a run (the last `loopHistoryLimit`): which files each changed. A file
 * reworked again and again is the classic sign of an agent stuck rewriting the same thing; past
 * `sameFileLoopBudget` iterations in a row the developer gets an edit-strategy hint that grows
 * firmer each time.
 */
import type { RecordedStatus } from '../vocabulary/iterations.js';

export interface RecentIteration {
  iteration: number;
  taskId: string;
  status: RecordedStatus;
  files: string[];
}

export function rememberIteration(
  recent: readonly RecentIteration[],
  entry: RecentIteration,
  limit: number,
): RecentIteration[] {
  return [...recent, entry].slice(-Math.max(1, limit));
}

/** How many of the most recent iterations in a row changed `file`. */
export function consecutiveChanges(recent: readonly RecentIteration[], file: string): number {
  let count = 0;
  for (let i = recent.length - 1; i >= 0; i--) {
    if (!recent[i]!.files.includes(file)) break;
    count += 1;
  }
  return count;
}

const HINTS = [
  (file: string, n: number) =>
    `${file} was changed in each of the last ${n} iterations: ` +
    'read it first and change it with small targeted edits, not rewrites.',
  (file: string, n: number) =>
    `${file} was changed in each of the last ${n} iterations: do not rewrite it; ` +
    'if it has grown too large, move the part this task needs into a new, smaller file.',
  (file: string, n: number) =>
    `${file} was changed in each of the last ${n} iterations: ` +
    'leave it unchanged unless the task cannot be done otherwise, and say why in your summary if you must touch it.',
];

/** One hint per file over budget, firmer the further over budget it is. */
export function editStrategyHints(recent: readonly RecentIteration[], sameFileLoopBudget: number): string[] {
  const files = new Set(recent.at(-1)?.files ?? []);
  const hints: string[] = [];
  for (const file of [...files].sort()) {
    const streak = consecutiveChanges(recent, file);
    if (streak <= sameFileLoopBudget) continue;
    const level = Math.min(HINTS.length - 1, streak - sameFileLoopBudget - 1);
    hints.push(HINTS[level]!(file, streak));
  }
  return hints;
}
