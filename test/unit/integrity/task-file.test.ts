/** The task file: the current task's own tick and notes are allowed, every other edit is a finding. */
import { describe, expect, it } from 'vitest';
import { taskFileEditDetail } from '../../../src/integrity/task-file.js';
import { currentTask, parseTasks } from '../../../src/tasks/index.js';
import { change, findingsFor, rulesFor } from './build.js';

const TODOS = `# Calculator

## Phase 1: basics

- [x] Add addition
- [ ] Add subtraction
  - accept negative numbers
- [ ] Add multiplication

## Phase 2: polish

- [ ] Format results with thousands separators
  - [ ] in the CLI
  - [ ] in the web view
`;

const current = currentTask(parseTasks(TODOS))!;

function detail(after: string | undefined, before = TODOS, taskId = current.id): string | undefined {
  return taskFileEditDetail(before, after, taskId);
}

describe('task-file-edited: honest work', () => {
  it('accepts the current task ticked, with x or X', () => {
    expect(detail(TODOS.replace('- [ ] Add subtraction', '- [x] Add subtraction'))).toBeUndefined();
    expect(detail(TODOS.replace('- [ ] Add subtraction', '- [X] Add subtraction'))).toBeUndefined();
  });

  it('accepts notes added under the current task, before, between and after its own lines', () => {
    const notes = TODOS.replace(
      '- [ ] Add subtraction\n  - accept negative numbers\n',
      '- [x] Add subtraction\n  - note: done in src/sub.ts\n  - accept negative numbers\n' +
        '\n  Blocked earlier on a missing fixture.\n',
    );
    expect(detail(notes)).toBeUndefined();
  });

  it('accepts a tick and notes on a CRLF file', () => {
    const crlf = TODOS.replaceAll('\n', '\r\n');
    const after = crlf.replace('- [ ] Add subtraction\r\n', '- [x] Add subtraction\r\n  - tested with -3 - 4\r\n');
    expect(detail(after, crlf, currentTask(parseTasks(crlf))!.id)).toBeUndefined();
  });

  it("accepts the current task's own sub-items ticked", () => {
    const nested = parseTasks(TODOS).tasks.find((task) => task.text.startsWith('Format results'))!;
    const after = TODOS.replace('  - [ ] in the CLI', '  - [x] in the CLI').replace(
      '- [ ] Format results',
      '- [x] Format results',
    );
    expect(detail(after, TODOS, nested.id)).toBeUndefined();
  });

  it('accepts a task file left as it was', () => {
    expect(detail(TODOS)).toBeUndefined();
  });
});

describe('task-file-edited: cheats', () => {
  it('flags another task ticked', () => {
    expect(detail(TODOS.replace('- [ ] Add multiplication', '- [x] Add multiplication'))).toBe(
      'ticked task "Add multiplication"',
    );
  });

  it('flags a done task unticked', () => {
    expect(detail(TODOS.replace('- [x] Add addition', '- [ ] Add addition'))).toBe('unticked task "Add addition"');
  });

  it('flags other open tasks deleted', () => {
    const after = TODOS.replace('- [ ] Add multiplication\n', '').replace(/## Phase 2[\s\S]*$/, '');
    expect(detail(after)).toBe(
      'removed task "Add multiplication"; removed task "Format results with thousands separators"; ' +
        'removed task "in the CLI"; and 1 more',
    );
  });

  it('flags tasks reordered', () => {
    const after = TODOS.replace('- [x] Add addition\n', '').replace(
      '- [ ] Add multiplication\n',
      '- [ ] Add multiplication\n- [x] Add addition\n',
    );
    expect(detail(after)).toBe('reordered tasks');
  });

  it('flags the current task reworded', () => {
    expect(detail(TODOS.replace('Add subtraction', 'Add subtraction (won’t do)'))).toContain(
      'reworded or removed the current task',
    );
  });

  it('flags a new task added, and notes added under another task', () => {
    expect(detail(`${TODOS}- [ ] Write the release notes\n`)).toBe('added task "Write the release notes"');
    const noteElsewhere = TODOS.replace(
      '- [ ] Add multiplication\n',
      '- [ ] Add multiplication\n  - already done upstream\n',
    );
    expect(detail(noteElsewhere)).toBe('changed line 9 ("" became "- already done upstream")');
  });

  it('flags a heading edited and the current task moved to another phase', () => {
    expect(detail(TODOS.replace('## Phase 2: polish', '## Phase 2: later'))).toContain('changed line');
  });

  it('flags the task file deleted or replaced', () => {
    expect(detail(undefined)).toBe('the task file was deleted');
    expect(detail('# Nothing left to do\n')).toContain('removed');
  });

  it('reports the finding through checkIntegrity under the task file path', () => {
    const task = { id: current.id, text: current.text, details: current.details };
    const changes = [change('TODOS.md', TODOS, TODOS.replace('- [ ] Add multiplication', '- [x] Add multiplication'))];
    expect(rulesFor({ task, changes })).toEqual(['task-file-edited: TODOS.md']);
    const honest = [change('TODOS.md', TODOS, TODOS.replace('- [ ] Add subtraction', '- [x] Add subtraction'))];
    expect(findingsFor({ task, changes: honest })).toEqual([]);
  });
});
