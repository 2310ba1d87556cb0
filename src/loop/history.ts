/**
 * Loop history across iterations: which files each iteration changed. A file reworked again and
 * again is the classic sign of an agent stuck rewriting the same thing; past `sameFileLoopBudget`
 * iterations in a row the developer gets an edit-strategy hint that grows firmer each time.
 */
import type { IterationStatus } from '../vocabulary/iterations.js';

export interface HistoryEntry {
  iteration: number;
  taskId: string;
  status: IterationStatus | 'interrupted' | 'crashed';
  files: string[];
}

export function appendHistory(history: readonly HistoryEntry[], entry: HistoryEntry, limit: number): HistoryEntry[] {
  return [...history, entry].slice(-Math.max(1, limit));
}

/** How many of the most recent iterations in a row changed `file`. */
export function consecutiveChanges(history: readonly HistoryEntry[], file: string): number {
  let count = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    if (!history[i]!.files.includes(file)) break;
    count += 1;
  }
  return count;
}

const HINTS = [
  (file: string, n: number) =>
    `${file} was changed in each of the last ${n} iterations: read it first and change it with small targeted edits, not rewrites.`,
  (file: string, n: number) =>
    `${file} was changed in each of the last ${n} iterations: do not rewrite it; if it has grown too large, move the part this task needs into a new, smaller file.`,
  (file: string, n: number) =>
    `${file} was changed in each of the last ${n} iterations: leave it unchanged unless the task cannot be done otherwise, and say why in your summary if you must touch it.`,
];

/** One hint per file over budget, firmer the further over budget it is. */
export function editStrategyHints(history: readonly HistoryEntry[], sameFileLoopBudget: number): string[] {
  const files = new Set(history.at(-1)?.files ?? []);
  const hints: string[] = [];
  for (const file of [...files].sort()) {
    const streak = consecutiveChanges(history, file);
    if (streak <= sameFileLoopBudget) continue;
    const level = Math.min(HINTS.length - 1, streak - sameFileLoopBudget - 1);
    hints.push(HINTS[level]!(file, streak));
  }
  return hints;
}
