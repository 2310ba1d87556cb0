/**
 * Ticking and unticking checkboxes. The edit replaces the single character between the brackets
 * and nothing else, so line endings, BOM, indentation, trailing spaces and the rest of the file
 * keep their exact bytes (the developer's diff shows one changed character).
 */
import { TaskFileError } from './errors.js';
import { splitLines } from './lines.js';
import { parseSourceLines } from './parse.js';
import { findTask } from './query.js';
import { matchTaskLine } from './syntax.js';
import type { Task } from './types.js';

/**
 * A line number, or a task record. When the record carries an `id`, the task now on that line must
 * still have that id; this catches ticking the wrong task after the file was edited.
 */
export type TaskRef = number | (Pick<Task, 'line'> & { readonly id?: string });

const MAX_PREVIEW_CHARS = 80;

/**
 * Sets the checkbox on the task's line to `[x]` (done) or `[ ]` (not done). Already in that state:
 * returns the text unchanged (so an `[X]` stays `[X]`). Throws TaskFileError when the line does not
 * exist, is not a task (including checkbox-looking lines in code fences or comments, and empty
 * checkboxes), or holds a different task than `ref.id`.
 */
export function tickTask(text: string, ref: TaskRef, done = true): string {
  const lineNumber = typeof ref === 'number' ? ref : ref.line;
  const lines = splitLines(text);
  const line = Number.isInteger(lineNumber) ? lines[lineNumber - 1] : undefined;
  if (line === undefined || lineNumber < 1) {
    throw new TaskFileError(
      'line-out-of-range',
      `cannot tick line ${lineNumber}: the task file has ${lines.length} line${lines.length === 1 ? '' : 's'}`,
      { line: lineNumber },
    );
  }
  const task = parseSourceLines(text, lines).tasks.find((candidate) => candidate.line === lineNumber);
  const checkbox = matchTaskLine(line.content);
  if (task === undefined || checkbox === undefined) {
    throw new TaskFileError(
      'not-a-task',
      `cannot tick line ${lineNumber}: it is not a task checkbox line (found: ${preview(line.content)})`,
      { line: lineNumber },
    );
  }
  if (typeof ref !== 'number' && ref.id !== undefined && ref.id !== task.id) {
    throw new TaskFileError(
      'task-mismatch',
      `cannot tick line ${lineNumber}: it now holds a different task (${preview(task.text)}); the file changed since it was read`,
      { line: lineNumber },
    );
  }
  if (task.done === done) return text;
  const offset = line.start + checkbox.markIndex;
  return text.slice(0, offset) + (done ? 'x' : ' ') + text.slice(offset + 1);
}

/**
 * Ticks the task with this id wherever it is now, for when the file may have been edited since the
 * task was chosen. Throws TaskFileError `task-not-found` when no task has that id any more.
 */
export function tickTaskById(text: string, taskId: string, done = true): string {
  const task = findTask(text, taskId);
  if (task === undefined) {
    throw new TaskFileError(
      'task-not-found',
      `cannot tick task ${taskId}: no task with that id is in the file any more (its text was edited or it was removed)`,
    );
  }
  return tickTask(text, task, done);
}

function preview(content: string): string {
  const trimmed = content.trim();
  if (trimmed === '') return 'an empty line';
  const short = trimmed.length > MAX_PREVIEW_CHARS ? `${trimmed.slice(0, MAX_PREVIEW_CHARS)}…` : trimmed;
  return JSON.stringify(short);
}
