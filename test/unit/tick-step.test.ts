import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settleTicks } from '../../src/loop/tick-step.js';
import { parseTasks } from '../../src/tasks/index.js';
import { tempDir } from '../helpers/temp-dir.js';

async function taskFile(text: string): Promise<string> {
  const file = path.join(await tempDir('tick-step-'), 'TODOS.md');
  await writeFile(file, text);
  return file;
}

describe('tick step', () => {
  it('a deleted task file is task_missing, not an exception', async () => {
    const file = path.join(await tempDir('tick-step-'), 'TODOS.md');
    expect(await settleTicks(file, { id: 'abc' }, new Set())).toEqual({
      tick: { kind: 'task_missing', fileMissing: true },
      unticked: [],
    });
  });

  it('unticks other tasks open at start, but not sub-tasks of the current one', async () => {
    const start = '- [ ] Parent\n  - [ ] Child\n- [ ] Other\n- [x] Old\n';
    const [parent, child, other, old] = parseTasks(start).tasks;
    const file = await taskFile('- [x] Parent\n  - [x] Child\n- [x] Other\n- [x] Old\n');
    const open = new Set([parent!.id, child!.id, other!.id]);
    expect(await settleTicks(file, parent!, open)).toEqual({ tick: { kind: 'already_ticked' }, unticked: ['Other'] });
    expect(await readFile(file, 'utf8')).toBe('- [x] Parent\n  - [x] Child\n- [ ] Other\n- [x] Old\n');
    expect(old!.done).toBe(true);
  });

  it('ticks the task and unticks another in one write', async () => {
    const start = '- [ ] Mine\n- [ ] Other\n';
    const [mine, other] = parseTasks(start).tasks;
    const file = await taskFile('- [ ] Mine\n- [x] Other\n');
    expect(await settleTicks(file, mine!, new Set([mine!.id, other!.id]))).toEqual({
      tick: { kind: 'ticked_by_harness' },
      unticked: ['Other'],
    });
    expect(await readFile(file, 'utf8')).toBe('- [x] Mine\n- [ ] Other\n');
  });
});
