import { describe, expect, it } from 'vitest';
import { parseTasks, TaskFileError, tickTask, tickTaskById, type TaskFileErrorCode } from '../../../src/tasks/index.js';
import { differingBytes, utf8 } from './bytes.js';

function expectTaskFileError(action: () => unknown, code: TaskFileErrorCode, message: RegExp): TaskFileError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TaskFileError);
  const error = caught as TaskFileError;
  expect(error.code).toBe(code);
  expect(error.name).toBe('TaskFileError');
  expect(error.message).toMatch(message);
  return error;
}

/** The one byte that must change, checked against the exact original bytes. */
function expectSingleByteChange(before: string, after: string, expectedChar: 'x' | ' '): void {
  const offsets = differingBytes(utf8(before), utf8(after));
  expect(offsets).toHaveLength(1);
  expect(String.fromCharCode(utf8(after)[offsets[0] ?? -1] ?? 0)).toBe(expectedChar);
}

describe('tickTask: byte-exact edits', () => {
  it('changes only the checkbox character in a CRLF file', () => {
    const before = '# Phase\r\n- [ ] first  \r\n  detail\r\n- [ ] second\r\n';
    const after = tickTask(before, 4);
    expect(after).toBe('# Phase\r\n- [ ] first  \r\n  detail\r\n- [x] second\r\n');
    expectSingleByteChange(before, after, 'x');
  });

  it('keeps a BOM, a missing final newline, tabs, trailing spaces and unicode', () => {
    const before = '\uFEFF## 阶段一 🚀\n\t* [ ] 实现 café\u0301 👩‍💻 \t \n  1) [ ] last, no newline   ';
    const withFirst = tickTask(before, 2);
    expect(withFirst).toBe('\uFEFF## 阶段一 🚀\n\t* [x] 实现 café\u0301 👩‍💻 \t \n  1) [ ] last, no newline   ');
    expectSingleByteChange(before, withFirst, 'x');
    const withLast = tickTask(withFirst, 3);
    expect(withLast.endsWith('1) [x] last, no newline   ')).toBe(true);
    expectSingleByteChange(withFirst, withLast, 'x');
  });

  it('ticks the first line when the file starts with a BOM', () => {
    expect(tickTask('\uFEFF- [ ] a\n', 1)).toBe('\uFEFF- [x] a\n');
  });

  it('works with lone-CR and mixed line endings', () => {
    const before = '- [ ] a\r- [ ] b\n- [ ] c\r\n- [ ] d';
    expect(tickTask(before, 2)).toBe('- [ ] a\r- [x] b\n- [ ] c\r\n- [ ] d');
    expect(tickTask(before, 4)).toBe('- [ ] a\r- [ ] b\n- [ ] c\r\n- [x] d');
  });

  it('unticks [x] and [X] back to [ ]', () => {
    const before = '- [x] a\n- [X] b\n';
    const after = tickTask(tickTask(before, 1, false), 2, false);
    expect(after).toBe('- [ ] a\n- [ ] b\n');
    expectSingleByteChange(before, tickTask(before, 2, false), ' ');
  });

  it('returns the text unchanged when the box is already in the wanted state', () => {
    const text = '- [X] upper\n- [ ] open\n';
    expect(tickTask(text, 1)).toBe(text); // keeps the capital X
    expect(tickTask(text, 2, false)).toBe(text);
  });

  it('ticks a nested task, leaving its parent alone', () => {
    const before = '- [ ] parent\n  - [ ] child\n';
    expect(tickTask(before, 2)).toBe('- [ ] parent\n  - [x] child\n');
  });

  it('does not touch a `[ ]` that appears later in the text', () => {
    expect(tickTask('- [ ] handle `- [ ]` in text [ ]\n', 1)).toBe('- [x] handle `- [ ]` in text [ ]\n');
  });

  it('accepts a task record', () => {
    const text = '- [ ] a\n- [ ] b\n';
    const task = parseTasks(text).tasks[1];
    if (task === undefined) throw new Error('unreachable');
    expect(tickTask(text, task)).toBe('- [ ] a\n- [x] b\n');
  });
});

describe('tickTask: refusing bad targets', () => {
  const text = '# Phase\n- [ ] real\n```\n- [ ] fenced\n```\n> - [ ] quoted\n- [ ]\nprose\n';

  it.each([0, -1, 1.5, 9, Number.NaN])('rejects line %s as out of range', (line) => {
    const error = expectTaskFileError(() => tickTask(text, line), 'line-out-of-range', /the task file has 8 lines/);
    expect(error.line).toBe(line);
  });

  it.each([
    [1, /line 1: it is not a task checkbox line \(found: "# Phase"\)/],
    [4, /line 4: it is not a task checkbox line \(found: "- \[ \] fenced"\)/],
    [6, /line 6: .*not a task/],
    [7, /line 7: .*not a task/],
    [8, /line 8: .*not a task/],
  ])('rejects line %i, which is not a task', (line, message) => {
    const before = text;
    const error = expectTaskFileError(() => tickTask(text, line), 'not-a-task', message);
    expect(error.line).toBe(line);
    expect(text).toBe(before);
  });

  it('names an empty line as such', () => {
    expectTaskFileError(() => tickTask('- [ ] a\n\n', 2), 'not-a-task', /found: an empty line/);
  });

  it('rejects a stale task record whose line now holds another task', () => {
    const before = '- [ ] a\n- [ ] b\n';
    const stale = parseTasks(before).tasks[1];
    if (stale === undefined) throw new Error('unreachable');
    const edited = '- [ ] inserted\n- [ ] a\n- [ ] b\n';
    expectTaskFileError(
      () => tickTask(edited, stale),
      'task-mismatch',
      /line 2: it now holds a different task \("a"\)/,
    );
  });
});

describe('tickTaskById', () => {
  it('ticks the task where it is now, after lines moved', () => {
    const before = '- [ ] a\n- [ ] b\n';
    const id = parseTasks(before).tasks[1]?.id ?? '';
    const edited = '# New phase\r\n- [ ] a\r\n  note\r\n- [ ] b\r\n';
    const after = tickTaskById(edited, id);
    expect(after).toBe('# New phase\r\n- [ ] a\r\n  note\r\n- [x] b\r\n');
    expect(tickTaskById(after, id, false)).toBe(edited);
  });

  it('fails with task-not-found when the text was reworded', () => {
    const id = parseTasks('- [ ] a\n').tasks[0]?.id ?? '';
    expectTaskFileError(() => tickTaskById('- [ ] a, reworded\n', id), 'task-not-found', /no task with that id/);
  });
});
