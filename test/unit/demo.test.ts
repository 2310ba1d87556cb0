import { describe, expect, it } from 'vitest';
import { testFailureGist } from '../../src/demo/highlights.js';
import { DEMO_TASKS, STARTING_FILES, TASK_FILE, todosMarkdown } from '../../src/demo/project.js';
import { taskOfPrompt } from '../../src/demo/script.js';
import { parseTasks } from '../../src/tasks/index.js';

describe('demo project data', () => {
  it('the task file parses into the demo tasks, in their phases, all open', () => {
    const { tasks } = parseTasks(todosMarkdown());
    expect(tasks.map((task) => [task.phase, task.text, task.done])).toEqual(
      DEMO_TASKS.map((task) => [task.phase, task.text, false]),
    );
    expect(STARTING_FILES[TASK_FILE]).toBe(todosMarkdown());
  });

  it('each fix edits text its first draft really contains, exactly once', () => {
    for (const task of DEMO_TASKS) {
      for (const edit of task.fix?.edits ?? []) {
        const draft = task.files[edit.path];
        expect(draft, `${task.commitMessage}: ${edit.path}`).toBeDefined();
        expect(draft!.split(edit.oldText)).toHaveLength(2);
      }
    }
  });

  it('finds the task a prompt is about from its "- Task:" line', () => {
    const task = DEMO_TASKS[2]!;
    expect(taskOfPrompt(`# Developer\n\n## Current task\n- Task: ${task.text}\n`)).toBe(task);
    expect(taskOfPrompt('## Current task\n- Task: something else')).toBeUndefined();
  });
});

describe('testFailureGist', () => {
  it('keeps the failing test and the assertion of the spec reporter, not the stack', () => {
    const output = [
      '✔ leaves short text alone (0.4ms)',
      '✖ cuts long text (0.6ms)',
      'ℹ fail 1',
      '',
      '✖ failing tests:',
      '',
      'test at test/truncate.test.mjs:9:1',
      '✖ cuts long text (0.6ms)',
      '  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
      '  ',
      "  + 'hello wo…'",
      "  - 'hello w…'",
      '            ^',
      '      at TestContext.<anonymous> (file:///x/test/truncate.test.mjs:10:10)',
    ].join('\n');
    expect(testFailureGist(output)).toEqual([
      '✖ cuts long text',
      'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
      "+ 'hello wo…'",
      "- 'hello w…'",
    ]);
  });

  it('understands the tap reporter, and falls back to the last lines', () => {
    const tap = [
      'TAP version 13',
      'not ok 2 - cuts long text',
      '  ---',
      '  error: |-',
      '    Expected values to be strictly equal:',
      '  code: ERR_ASSERTION',
    ].join('\n');
    expect(testFailureGist(tap)).toEqual([
      'not ok 2 - cuts long text',
      'error: |-',
      'Expected values to be strictly equal:',
    ]);
    expect(testFailureGist('one\ntwo\nthree\nfour\n')).toEqual(['two', 'three', 'four']);
  });
});
