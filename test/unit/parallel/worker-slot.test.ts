/**
 * A worker's slot: one worktree moved from iteration to iteration. Before it leaves a branch, that
 * branch's HEAD is held by the start branch, a merge record or a rescue ref made for it; a slot with
 * uncommitted work is never left or removed.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../../src/journal/events.js';
import { Journal } from '../../../src/journal/writer.js';
import { WorkerSlot } from '../../../src/parallel/worker-slot.js';
import { createHarnessRef } from '../../../src/workspace/tree-builder.js';
import { mergedRef, slotDir, workerBranch, worktreesRoot } from '../../../src/parallel/worktrees.js';
import { gitSync, makeRepo } from '../../helpers/git-repo.js';

const RUN = 'run-slot';
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

async function setUp() {
  const repo = await makeRepo({ 'a.txt': 'a\n', '.gitignore': 'build/\n' });
  roots.push(worktreesRoot(repo));
  const journal = new Journal(path.join(repo, '.pi-harness', 'journal.jsonl'), RUN);
  const events: JournalEvent[] = [];
  journal.onEvent((event) => events.push(event));
  const slot = new WorkerSlot({ worker: 'w1', repoRoot: repo, runId: RUN, startBranch: 'refs/heads/main', journal });
  const base = gitSync(repo, 'rev-parse', 'HEAD').trim();
  return { repo, journal, events, slot, base };
}

function commitIn(dir: string, file: string): string {
  gitSync(dir, 'add', '-A');
  gitSync(dir, 'commit', '-qm', `add ${file}`);
  return gitSync(dir, 'rev-parse', 'HEAD').trim();
}

describe('a worker slot', () => {
  it('moves to the next branch keeping the one it leaves: unmerged in a rescue ref, merged by its record', async () => {
    const s = await setUp();
    const first = await s.slot.take(1, s.base);
    expect(first.dir).toBe(slotDir(s.repo, RUN, 'w1'));
    await writeFile(path.join(first.dir, 'one.txt'), '1\n');
    const unmerged = commitIn(first.dir, 'one.txt');
    await mkdir(path.join(first.dir, 'build'));
    await writeFile(path.join(first.dir, 'build', 'out.js'), 'x');

    const second = await s.slot.take(2, s.base);
    expect(second.dir).toBe(first.dir);
    expect(gitSync(second.dir, 'symbolic-ref', 'HEAD').trim()).toBe(workerBranch(RUN, 2));
    expect(gitSync(second.dir, 'rev-parse', 'HEAD').trim()).toBe(s.base);
    // Nothing of the last task stays in the work tree, ignored files included.
    expect(existsSync(path.join(second.dir, 'one.txt'))).toBe(false);
    expect(existsSync(path.join(second.dir, 'build'))).toBe(false);
    const rescue = `refs/pi-harness/rescue/${RUN}/1-unmerged`;
    expect(gitSync(s.repo, 'rev-parse', rescue).trim()).toBe(unmerged);
    expect(gitSync(s.repo, 'for-each-ref', workerBranch(RUN, 1)).trim()).toBe('');

    await writeFile(path.join(second.dir, 'two.txt'), '2\n');
    const merged = commitIn(second.dir, 'two.txt');
    await createHarnessRef(s.repo, mergedRef(RUN, 2), merged);
    await s.slot.take(3, s.base);
    const moves = s.events.filter((e) => e.type === 'worktree_moved');
    expect(moves.map((e) => e.type === 'worktree_moved' && [e.head, e.keptIn, e.from, e.to])).toEqual([
      [unmerged, rescue, workerBranch(RUN, 1), workerBranch(RUN, 2)],
      [merged, mergedRef(RUN, 2), workerBranch(RUN, 2), workerBranch(RUN, 3)],
    ]);
    // No second rescue ref: the merge record held the commit.
    expect(gitSync(s.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue/').trim()).toBe(rescue);

    await s.slot.remove();
    expect(existsSync(first.dir)).toBe(false);
    expect(gitSync(s.repo, 'for-each-ref', 'refs/heads/pi-harness/').trim()).toBe('');
    expect(s.events.at(-1)).toMatchObject({
      type: 'worktree_removed',
      worker: 'w1',
      head: s.base,
      keptIn: 'refs/heads/main',
    });
  });

  it('never leaves a worktree with uncommitted work: it stays, and the worker goes on in a new one', async () => {
    const s = await setUp();
    const first = await s.slot.take(1, s.base);
    await writeFile(path.join(first.dir, 'loose.txt'), 'not committed\n');

    const second = await s.slot.take(2, s.base);
    expect(second.dir).not.toBe(first.dir);
    expect(gitSync(first.dir, 'symbolic-ref', 'HEAD').trim()).toBe(workerBranch(RUN, 1));
    expect(gitSync(first.dir, 'status', '--porcelain')).toContain('loose.txt');
    const warning = s.events.find((e) => e.type === 'warning');
    expect(warning?.type === 'warning' && warning.message).toContain(`the worktree ${first.dir} was kept`);

    await s.slot.remove();
    expect(existsSync(second.dir)).toBe(false);
    expect(existsSync(path.join(first.dir, 'loose.txt'))).toBe(true);
  });
});
