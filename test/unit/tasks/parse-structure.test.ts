import { describe, expect, it } from 'vitest';
import { parseTasks } from '../../../src/tasks/index.js';

function phases(markdown: string): Array<[string, string | null]> {
  return parseTasks(markdown).tasks.map((task) => [task.text, task.phase]);
}

describe('parseTasks: phases from headings', () => {
  it('uses the nearest heading above, at every ATX level', () => {
    const markdown = [1, 2, 3, 4, 5, 6]
      .map((level) => `${'#'.repeat(level)} Level ${level}\n- [ ] t${level}\n`)
      .join('');
    expect(phases(markdown)).toEqual([1, 2, 3, 4, 5, 6].map((level) => [`t${level}`, `Level ${level}`]));
  });

  it('gives tasks before any heading a null phase', () => {
    expect(phases('- [ ] early\n# Later\n- [ ] late\n')).toEqual([
      ['early', null],
      ['late', 'Later'],
    ]);
  });

  it('strips the closing # sequence and surrounding spaces, but not a # glued to the text', () => {
    expect(phases('##   Phase 2: core   ###  \n- [ ] a\n# C# port\n- [ ] b\n# Issue #12\n- [ ] c\n')).toEqual([
      ['a', 'Phase 2: core'],
      ['b', 'C# port'],
      ['c', 'Issue #12'],
    ]);
  });

  it('keeps inline Markdown and unicode in the phase text', () => {
    expect(phases('## Phase 1 — *core* `api` 🚧\n- [ ] a\n')).toEqual([['a', 'Phase 1 — *core* `api` 🚧']]);
  });

  it('does not treat #tag, ####### or a heading indented 4+ columns as a heading', () => {
    expect(phases('# Real\n#tag\n####### seven\n    # indented code\n\t# tab\n- [ ] a\n')).toEqual([['a', 'Real']]);
  });

  it('accepts ATX headings indented up to 3 spaces', () => {
    expect(phases('   ## Indented\n- [ ] a\n')).toEqual([['a', 'Indented']]);
  });

  it('resets the phase to null at an empty heading', () => {
    expect(phases('# Named\n- [ ] a\n#\n- [ ] b\n## ##\n- [ ] c\n')).toEqual([
      ['a', 'Named'],
      ['b', null],
      ['c', null],
    ]);
  });

  it('understands setext headings (=== and --- under a paragraph)', () => {
    expect(phases('Phase one\n=========\n- [ ] a\n\nPhase two\n---\n- [ ] b\n')).toEqual([
      ['a', 'Phase one'],
      ['b', 'Phase two'],
    ]);
  });

  it('joins a multi-line setext heading with spaces', () => {
    expect(phases('Phase one,\n  the long name\n===\n- [ ] a\n')).toEqual([['a', 'Phase one, the long name']]);
  });

  it('treats --- after a blank line or after a list as a thematic break, not a heading', () => {
    expect(phases('# Phase\nSome prose.\n\n---\n- [ ] a\n- plain item\n---\n- [ ] b\n')).toEqual([
      ['a', 'Phase'],
      ['b', 'Phase'],
    ]);
  });

  it('does not take a heading indented under a task as a phase; it is a detail', () => {
    const { tasks } = parseTasks('# Phase\n- [ ] a\n  ## Notes\n  some note\n- [ ] b\n');
    expect(tasks.map((task) => [task.text, task.phase])).toEqual([
      ['a', 'Phase'],
      ['b', 'Phase'],
    ]);
    expect(tasks[0]?.details).toEqual(['## Notes', 'some note']);
  });
});

describe('parseTasks: nesting and details', () => {
  const nested = [
    '## Build', //               1
    '- [ ] parent', //           2
    '  - [x] child one', //      3
    '    blocked: needs API', // 4
    '  - [ ] child two', //      5
    '    - [ ] grandchild', //   6
    '  - a plain note', //       7
    '- [ ] sibling', //          8
    '',
  ].join('\n');

  it('makes nested checkbox items tasks of their own with the parent line and the same phase', () => {
    const { tasks } = parseTasks(nested);
    expect(tasks.map((task) => [task.line, task.text, task.parentLine, task.phase])).toEqual([
      [2, 'parent', undefined, 'Build'],
      [3, 'child one', 2, 'Build'],
      [5, 'child two', 2, 'Build'],
      [6, 'grandchild', 5, 'Build'],
      [8, 'sibling', undefined, 'Build'],
    ]);
  });

  it('gives a task every indented line under it as details, sub-tasks included, minus common indent', () => {
    const [parent, childOne, childTwo, grandchild, sibling] = parseTasks(nested).tasks;
    expect(parent?.details).toEqual([
      '- [x] child one',
      '  blocked: needs API',
      '- [ ] child two',
      '  - [ ] grandchild',
      '- a plain note',
    ]);
    expect(childOne?.details).toEqual(['blocked: needs API']);
    expect(childTwo?.details).toEqual(['- [ ] grandchild']);
    expect(grandchild?.details).toEqual([]);
    expect(sibling?.details).toEqual([]);
  });

  it('attaches a note at a sub-task’s own indentation to the enclosing task, not the sub-task', () => {
    const { tasks } = parseTasks('- [ ] parent\n  - [ ] child\n  note for parent\n');
    expect(tasks[1]?.details).toEqual([]);
    expect(tasks[0]?.details).toEqual(['- [ ] child', 'note for parent']);
  });

  it('keeps the rest of a tab that straddles the common indentation as spaces', () => {
    const { tasks } = parseTasks('- [ ] a\n  two spaces\n\ttab to column 4\n');
    expect(tasks[0]?.details).toEqual(['two spaces', '  tab to column 4']);
  });

  it('keeps blank lines inside a block and drops blank lines around it', () => {
    const { tasks } = parseTasks('- [ ] a\n  first\n\n   \n  second\n\n\n- [ ] b\n\n  under b\n\nprose\n');
    expect(tasks[0]?.details).toEqual(['first', '', '', 'second']);
    expect(tasks[1]?.details).toEqual(['under b']);
  });

  it('ends a block at a line that is not indented deeper than the task', () => {
    const { tasks } = parseTasks('- [ ] a\nlazy continuation is not a detail\n  nor is this, after prose\n');
    expect(tasks[0]?.details).toEqual([]);
  });

  it('removes the common indentation and keeps the rest verbatim, with tab indentation too', () => {
    const { tasks } = parseTasks('- [ ] a\n\tdetail\n\t\tdeeper\n\t- [ ] tabbed child\n');
    expect(tasks.map((task) => [task.text, task.indent, task.parentLine])).toEqual([
      ['a', 0, undefined],
      ['tabbed child', 4, 1],
    ]);
    expect(tasks[0]?.details).toEqual(['detail', '\tdeeper', '- [ ] tabbed child']);
  });

  it('treats an indented empty checkbox under a task as a detail', () => {
    const file = parseTasks('- [ ] a\n  - [ ]\n');
    expect(file.tasks.map((task) => task.text)).toEqual(['a']);
    expect(file.tasks[0]?.details).toEqual(['- [ ]']);
  });

  it('starts a top-level task at any indentation when no task encloses it', () => {
    const { tasks } = parseTasks('   - [ ] indented start\n- [ ] flush\n');
    expect(tasks.map((task) => [task.text, task.parentLine])).toEqual([
      ['indented start', undefined],
      ['flush', undefined],
    ]);
  });
});

describe('parseTasks: code fences and comments', () => {
  it('ignores checkboxes and headings inside ``` and ~~~ fences', () => {
    const markdown = '# Real\n```md\n# Fake\n- [ ] fake\n```\n~~~\n- [ ] fake too\n~~~\n- [ ] real\n';
    expect(phases(markdown)).toEqual([['real', 'Real']]);
  });

  it('follows the fence length rules: a shorter or different fence does not close it', () => {
    const markdown = '````\n```\n- [ ] inside\n~~~~\n- [ ] still inside\n`````  \n- [ ] after\n';
    expect(phases(markdown)).toEqual([['after', null]]);
  });

  it('does not treat a backtick run with a backtick in its info string as a fence', () => {
    expect(phases('``` not `a` fence\n- [ ] a\n')).toEqual([['a', null]]);
  });

  it('recognizes fences at any indentation', () => {
    expect(phases('      ```\n- [ ] inside\n  ```\n- [ ] after\n')).toEqual([['after', null]]);
  });

  it('gives a fence inside a task block, with all its lines, to the task', () => {
    const { tasks } = parseTasks('- [ ] a\n  ```ts\ncode at column 0\n- [ ] not a task\n  ```\n  after\n- [ ] b\n');
    expect(tasks.map((task) => task.text)).toEqual(['a', 'b']);
    expect(tasks[0]?.details).toEqual(['  ```ts', 'code at column 0', '- [ ] not a task', '  ```', '  after']);
  });

  it('ends a task block at a fence that is not indented under it', () => {
    const { tasks } = parseTasks('- [ ] a\n```\n- [ ] x\n```\n');
    expect(tasks.map((task) => [task.text, task.details])).toEqual([['a', []]]);
  });

  it('treats an unclosed fence as running to the end of the file and warns', () => {
    const file = parseTasks('- [ ] before\n\n```\n- [ ] hidden\n');
    expect(file.tasks.map((task) => task.text)).toEqual(['before']);
    expect(file.warnings).toMatchObject([{ kind: 'unclosed-fence', line: 3 }]);
  });

  it('ignores checkboxes inside HTML comments, single- and multi-line', () => {
    const file = parseTasks('<!-- - [ ] one-liner -->\n<!--\n# Fake\n- [ ] hidden\n-->\n- [ ] visible\n');
    expect(file.tasks.map((task) => [task.text, task.phase])).toEqual([['visible', null]]);
    expect(file.warnings).toEqual([]);
  });

  it('warns about an unclosed HTML comment', () => {
    const file = parseTasks('- [ ] a\n<!-- todo later\n- [ ] hidden\n');
    expect(file.tasks.map((task) => task.text)).toEqual(['a']);
    expect(file.warnings).toMatchObject([{ kind: 'unclosed-comment', line: 2 }]);
  });
});
