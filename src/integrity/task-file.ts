/**
 * The task file may change in two ways during an iteration: the current task's checkbox (and the
 * checkboxes of its own sub-items) ticked, and note lines added under it (indented deeper than
 * its checkbox, or blank). Anything else — another task ticked, removed, reworded, added or moved,
 * the current task reworded — is an edit the agent has no business making.
 */
import { parseTasks } from '../tasks/index.js';
import { indentWidth, isBlank, splitLines } from '../tasks/lines.js';
import { matchFenceOpening, matchTaskLine } from '../tasks/syntax.js';
import type { Task } from '../tasks/types.js';
import type { FileChange, IntegrityFinding } from './types.js';

const MAX_REASONS = 3;

/** Why the change of the task file is not allowed, in one sentence; undefined when it is allowed. */
export function taskFileEditDetail(
  before: string | undefined,
  after: string | undefined,
  currentTaskId: string,
): string | undefined {
  if (before === after) return undefined;
  if (after === undefined) return 'the task file was deleted';
  if (before === undefined) return 'the task file was created';
  const current = parseTasks(before).tasks.find((task) => task.id === currentTaskId);
  if (current !== undefined && onlyOwnTickAndNotes(lineContents(before), lineContents(after), current)) {
    return undefined;
  }
  return describeTaskChanges(before, after, currentTaskId);
}

function lineContents(text: string): string[] {
  return splitLines(text).map((line) => line.content);
}

/** The same line with its checkbox ticked; undefined for a line that is no task. */
function ticked(line: string): string | undefined {
  const match = matchTaskLine(line);
  if (match === undefined) return undefined;
  return `${line.slice(0, match.markIndex)}x${line.slice(match.markIndex + 1)}`;
}

function sameOrTicked(after: string, before: string): boolean {
  return after === before || (ticked(before) !== undefined && after.toLowerCase() === ticked(before)?.toLowerCase());
}

/** Index just past the task's block: the first non-blank line at or left of its indentation. */
function blockEnd(lines: readonly string[], taskIndex: number, indent: number): number {
  let fence: string | undefined;
  for (let i = taskIndex + 1; i < lines.length; i++) {
    const line = lines[i]!;
    // A fence inside the block keeps it open whatever the indentation of the lines in it.
    if (fence !== undefined) {
      if (line.trim().startsWith(fence)) fence = undefined;
      continue;
    }
    if (isBlank(line)) continue;
    if (indentWidth(line) <= indent) return i;
    const opening = matchFenceOpening(line);
    if (opening !== undefined) fence = line.trim().slice(0, 3);
  }
  return lines.length;
}

function isNoteLine(line: string, taskIndent: number): boolean {
  return isBlank(line) || indentWidth(line) > taskIndent;
}

/**
 * Walks both texts line by line: before the task they must be equal, the task line may be
 * ticked, inside its block lines may be ticked or added (notes), after it they must be equal.
 */
function onlyOwnTickAndNotes(before: readonly string[], after: readonly string[], task: Task): boolean {
  const taskIndex = task.line - 1;
  for (let i = 0; i < taskIndex; i++) if (before[i] !== after[i]) return false;
  if (after[taskIndex] === undefined || !sameOrTicked(after[taskIndex], before[taskIndex]!)) return false;
  const end = blockEnd(before, taskIndex, task.indent);
  let b = taskIndex + 1;
  let a = taskIndex + 1;
  while (b < before.length || a < after.length) {
    const inBlock = b <= end;
    const afterLine = after[a];
    if (afterLine !== undefined && b < before.length) {
      const same = afterLine === before[b] || (b < end && sameOrTicked(afterLine, before[b]!));
      if (same) {
        a++;
        b++;
        continue;
      }
    }
    if (afterLine !== undefined && inBlock && isNoteLine(afterLine, task.indent)) {
      a++;
      continue;
    }
    return false;
  }
  return true;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** The changes to other tasks, named, for the developer to undo. */
function describeTaskChanges(before: string, after: string, currentTaskId: string): string {
  const old = parseTasks(before).tasks;
  const now = parseTasks(after).tasks;
  const nowById = new Map(now.map((task) => [task.id, task]));
  const oldIds = new Set(old.map((task) => task.id));
  const reasons: string[] = [];
  for (const task of old) {
    const later = nowById.get(task.id);
    const which = task.id === currentTaskId ? 'the current task' : `task ${quote(task.text)}`;
    if (later === undefined)
      reasons.push(task.id === currentTaskId ? 'reworded or removed the current task' : `removed ${which}`);
    else if (later.done !== task.done && task.id !== currentTaskId)
      reasons.push(`${later.done ? 'ticked' : 'unticked'} ${which}`);
  }
  for (const task of now) if (!oldIds.has(task.id)) reasons.push(`added task ${quote(task.text)}`);
  const commonOld = old.filter((task) => nowById.has(task.id)).map((task) => task.id);
  const commonNow = now.filter((task) => oldIds.has(task.id)).map((task) => task.id);
  if (commonOld.join('\n') !== commonNow.join('\n')) reasons.push('reordered tasks');
  if (reasons.length === 0) reasons.push(`changed ${firstDifference(lineContents(before), lineContents(after))}`);
  const shown = reasons.slice(0, MAX_REASONS).join('; ');
  return reasons.length > MAX_REASONS ? `${shown}; and ${reasons.length - MAX_REASONS} more` : shown;
}

function firstDifference(before: readonly string[], after: readonly string[]): string {
  let i = 0;
  while (i < before.length && i < after.length && before[i] === after[i]) i++;
  return `line ${i + 1} (${quote((before[i] ?? '').trim())} became ${quote((after[i] ?? '').trim())})`;
}

/** The task file's change as findings (none when only the current task's tick and notes were added). */
export function taskFileFindings(change: FileChange | undefined, taskId: string): IntegrityFinding[] {
  if (change === undefined) return [];
  const opaque =
    (change.before !== undefined && change.before.text === undefined) ||
    (change.after !== undefined && change.after.text === undefined);
  if (opaque)
    return [
      { rule: 'task-file-edited', path: change.path, detail: 'the task file changed and is too large to compare' },
    ];
  const detail = taskFileEditDetail(change.before?.text, change.after?.text, taskId);
  return detail === undefined ? [] : [{ rule: 'task-file-edited', path: change.path, detail }];
}
