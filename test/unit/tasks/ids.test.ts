import { describe, expect, it } from 'vitest';
import {
  findTask,
  findTaskLine,
  isTaskTicked,
  makeTaskId,
  normalizeTaskText,
  parseTasks,
  taskState,
  type Task,
} from '../../../src/tasks/index.js';

function byText(markdown: string, text: string): Task {
  const task = parseTasks(markdown).tasks.find((candidate) => candidate.text === text);
  if (task === undefined) throw new Error(`no task ${JSON.stringify(text)}`);
  return task;
}

const original = '# Phase 1\n- [ ] write parser\n- [ ] write tests\n';

describe('task ids', () => {
  it('are short, file-name-safe strings', () => {
    for (const task of parseTasks('- [ ] a/b\\c "quoted" 🚀\n- [ ] a/b\\c "quoted" 🚀\n').tasks) {
      expect(task.id).toMatch(/^[0-9a-f]{12}(-\d+)?$/);
    }
  });

  it('do not depend on line number, done state, phase, indentation, bullet or details', () => {
    const id = byText(original, 'write tests').id;
    const edited = [
      '# Renamed phase',
      '- [ ] a new task inserted above',
      '- [x] write parser',
      '  with a note added by the agent',
      '',
      '## Another phase',
      '  * [X] write tests',
      '    blocked: nothing',
      '',
    ].join('\n');
    const moved = byText(edited, 'write tests');
    expect(moved.line).toBe(7);
    expect(moved.id).toBe(id);
  });

  it('ignore whitespace differences and Unicode normalization form', () => {
    const composed = 'caf\u00e9 menu';
    const decomposed = 'cafe\u0301   menu';
    expect(byText(`- [ ] ${decomposed}\n`, decomposed).id).toBe(byText(`- [ ] ${composed}\n`, composed).id);
    expect(normalizeTaskText(' a \t b\u00a0 c ')).toBe('a b c');
  });

  it('change when the task text is edited', () => {
    expect(byText('- [ ] write tests\n', 'write tests').id).not.toBe(
      byText('- [ ] write more tests\n', 'write more tests').id,
    );
    expect(byText('- [ ] Write tests\n', 'Write tests').id).not.toBe(byText('- [ ] write tests\n', 'write tests').id);
  });

  it('number repeated texts by occurrence, so every id in a file is unique', () => {
    const { tasks } = parseTasks('# A\n- [ ] write tests\n# B\n- [x] write tests\n  - [ ] write  tests\n');
    const base = makeTaskId('write tests', 1);
    expect(tasks.map((task) => task.id)).toEqual([base, `${base}-2`, `${base}-3`]);
    expect(new Set(tasks.map((task) => task.id)).size).toBe(3);
  });
});

describe('looking tasks up by id after the file changed', () => {
  const id = byText(original, 'write tests').id;

  it('finds the current line of a task that moved', () => {
    expect(findTaskLine(original, id)).toBe(3);
    const moved = `- [ ] urgent fix\n\n${original}`;
    expect(findTaskLine(moved, id)).toBe(5);
    expect(findTaskLine(parseTasks(moved), id)).toBe(5);
    expect(findTask(moved, id)?.text).toBe('write tests');
  });

  it('reports open, done, and missing', () => {
    expect(taskState(original, id)).toBe('open');
    expect(isTaskTicked(original, id)).toBe(false);

    const ticked = original.replace('- [ ] write tests', '- [x] write tests');
    expect(taskState(ticked, id)).toBe('done');
    expect(isTaskTicked(ticked, id)).toBe(true);
    expect(isTaskTicked(parseTasks(ticked), id)).toBe(true);

    const reworded = original.replace('write tests', 'write unit tests');
    expect(taskState(reworded, id)).toBe('missing');
    expect(isTaskTicked(reworded, id)).toBe(false);
    expect(findTaskLine(reworded, id)).toBeUndefined();
  });

  it('does not find a task that now sits in a code fence', () => {
    const fenced = original.replace('- [ ] write tests', '```\n- [ ] write tests\n```');
    expect(taskState(fenced, id)).toBe('missing');
  });
});
