import { describe, expect, it } from 'vitest';
import { countTasks, currentTask, parseTasks, type Task } from '../../../src/tasks/index.js';

function texts(markdown: string): string[] {
  return parseTasks(markdown).tasks.map((task) => task.text);
}

function only(markdown: string): Task {
  const { tasks } = parseTasks(markdown);
  expect(tasks).toHaveLength(1);
  const [task] = tasks;
  if (task === undefined) throw new Error('unreachable');
  return task;
}

describe('parseTasks: checkbox items', () => {
  it.each(['-', '*', '+'])('accepts the %s bullet', (bullet) => {
    const task = only(`${bullet} [ ] write the parser\n`);
    expect(task).toMatchObject({ line: 1, text: 'write the parser', done: false, indent: 0, phase: null, details: [] });
    expect(task.parentLine).toBeUndefined();
  });

  it('reads [ ] as open and [x] / [X] as done', () => {
    const { tasks } = parseTasks('- [ ] open\n- [x] lower\n- [X] upper\n');
    expect(tasks.map((task) => [task.text, task.done])).toEqual([
      ['open', false],
      ['lower', true],
      ['upper', true],
    ]);
  });

  it('accepts numbered items with . and ) as tasks', () => {
    const { tasks } = parseTasks('1. [ ] first\n2) [x] second\n10. [ ] tenth\n');
    expect(tasks.map((task) => [task.line, task.text, task.done])).toEqual([
      [1, 'first', false],
      [2, 'second', true],
      [3, 'tenth', false],
    ]);
  });

  it('does not accept other marks in the box', () => {
    expect(texts('- [-] cancelled\n- [~] maybe\n- [/] half\n- [xx] two\n- [  ] wide\n')).toEqual([]);
  });

  it('requires a space between bullet and box, and after the box', () => {
    expect(texts('-[ ] no space after bullet\n- [ ]no space after box\n- [x]done too\n[ ] no bullet\n')).toEqual([]);
  });

  it('accepts tabs and several spaces around the box', () => {
    expect(texts('-\t[ ]\tafter tabs\n-   [x]    wide\n')).toEqual(['after tabs', 'wide']);
  });

  it('ignores a checkbox without text and reports it as a warning', () => {
    const file = parseTasks('- [ ]\n- [x]   \n- [ ] real\n');
    expect(file.tasks.map((task) => [task.line, task.text])).toEqual([[3, 'real']]);
    expect(file.warnings.map((warning) => [warning.kind, warning.line])).toEqual([
      ['empty-checkbox', 1],
      ['empty-checkbox', 2],
    ]);
  });

  it('does not treat quoted checkboxes (blockquotes) as tasks', () => {
    expect(texts('> - [ ] quoted\n>- [x] tight\n> > - [ ] nested quote\n- [ ] real\n')).toEqual(['real']);
  });

  it('keeps inline code containing a checkbox as part of the text', () => {
    const task = only('- [ ] make `- [x]` and `[X]` parse as done\n');
    expect(task.done).toBe(false);
    expect(task.text).toBe('make `- [x]` and `[X]` parse as done');
  });

  it('trims trailing spaces and tabs from the text', () => {
    expect(only('- [ ] padded   \t  \n').text).toBe('padded');
  });

  it('records indentation in columns, tabs advancing to the next multiple of 4', () => {
    const { tasks } = parseTasks('- [ ] a\n  - [ ] b\n\t- [ ] c\n  \t- [ ] d\n');
    expect(tasks.map((task) => task.indent)).toEqual([0, 2, 4, 4]);
  });

  it('preserves unicode text exactly (emoji, CJK, combining characters)', () => {
    const combining = 'cafe\u0301 re\u0301sume\u0301';
    const { tasks } = parseTasks(`- [ ] 🚀 ship it 👩‍💻\n- [x] 实现解析器\n- [ ] ${combining}\n`);
    expect(tasks.map((task) => task.text)).toEqual(['🚀 ship it 👩‍💻', '实现解析器', combining]);
    expect(tasks[2]?.text.normalize('NFC')).not.toBe(tasks[2]?.text); // not silently normalized
  });

  it('does not split lines on U+2028 / U+2029', () => {
    const task = only('- [ ] one\u2028two\u2029three\n');
    expect(task.text).toBe('one\u2028two\u2029three');
  });
});

describe('parseTasks: files as a whole', () => {
  it('handles an empty file', () => {
    expect(parseTasks('')).toEqual({
      tasks: [],
      eol: 'none',
      hasBom: false,
      lineCount: 0,
      endsWithNewline: false,
      warnings: [],
    });
  });

  it('handles a file without tasks', () => {
    const file = parseTasks('# Notes\n\nJust prose, a list:\n- one\n- two\n');
    expect(file.tasks).toEqual([]);
    expect(currentTask(file)).toBeUndefined();
    expect(file.lineCount).toBe(5);
  });

  it('has no current task when all tasks are done', () => {
    const file = parseTasks('- [x] a\n- [X] b\n');
    expect(currentTask(file)).toBeUndefined();
    expect(countTasks(file)).toEqual({ total: 2, done: 2, open: 0 });
  });

  it('picks the first open task in file order as the current task', () => {
    const file = parseTasks('# A\n- [x] done\n- [ ] next\n# B\n- [ ] later\n');
    expect(currentTask(file)).toMatchObject({ text: 'next', line: 3, phase: 'A' });
    expect(countTasks(file)).toEqual({ total: 3, done: 1, open: 2 });
  });

  it('picks an open parent before its open sub-tasks', () => {
    expect(currentTask(parseTasks('- [ ] parent\n  - [ ] child\n'))?.text).toBe('parent');
    expect(currentTask(parseTasks('- [x] parent\n  - [ ] child\n'))?.text).toBe('child');
  });

  it('reads CRLF files with the same tasks and line numbers as LF files', () => {
    const lf = '# Phase\n- [ ] a  \n  detail\n- [x] b\n';
    const crlf = lf.replaceAll('\n', '\r\n');
    const fromCrlf = parseTasks(crlf);
    expect(fromCrlf.tasks).toEqual(parseTasks(lf).tasks);
    expect(fromCrlf.tasks.some((task) => task.text.includes('\r') || task.details.some((d) => d.includes('\r')))).toBe(
      false,
    );
    expect(fromCrlf.eol).toBe('crlf');
    expect(parseTasks(lf).eol).toBe('lf');
  });

  it('reads mixed line endings (LF, CRLF, lone CR) with editor line numbers', () => {
    const file = parseTasks('# P\r\n- [ ] a\n- [ ] b\r- [x] c\r\n- [ ] d');
    expect(file.tasks.map((task) => [task.line, task.text])).toEqual([
      [2, 'a'],
      [3, 'b'],
      [4, 'c'],
      [5, 'd'],
    ]);
    expect(file.eol).toBe('mixed');
    expect(file.endsWithNewline).toBe(false);
    expect(parseTasks('- [ ] a\r- [ ] b\r').eol).toBe('cr');
  });

  it('ignores a leading BOM but reports it', () => {
    const file = parseTasks('\uFEFF# Phase\n- [ ] a\n');
    expect(file.hasBom).toBe(true);
    expect(file.tasks).toMatchObject([{ line: 2, text: 'a', phase: 'Phase' }]);
    expect(parseTasks('\uFEFF- [ ] first line\n').tasks).toMatchObject([{ line: 1, text: 'first line' }]);
  });

  it('counts lines like an editor: a final newline does not add a line', () => {
    expect(parseTasks('- [ ] a\n').lineCount).toBe(1);
    expect(parseTasks('- [ ] a').lineCount).toBe(1);
    expect(parseTasks('- [ ] a\n\n').lineCount).toBe(2);
    expect(parseTasks('- [ ] a\n').endsWithNewline).toBe(true);
  });
});
