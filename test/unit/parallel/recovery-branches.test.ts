/**
 * Worker branches a killed parallel run left without a worktree (a kill between removing the
 * worktree and deleting the branch; a crashed iteration's snapshot putting back a branch the
 * scheduler had deleted): removed at the next run's start, each commit kept first.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../src/journal/writer.js';
import { removeLeftBranches } from '../../../src/parallel/recovery.js';
import { addWorktree, workerBranch, worktreesRoot } from '../../../src/parallel/worktrees.js';
import { gitSync, makeRepo } from '../../helpers/git-repo.js';

const RUN = 'run-b';
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('worker branches left without a worktree', () => {
  it('are deleted, an unmerged commit first kept in a rescue ref; a branch in use stays', async () => {
    const repo = await makeRepo({ 'a.txt': 'a\n' });
    roots.push(worktreesRoot(repo));
    const base = gitSync(repo, 'rev-parse', 'HEAD').trim();
    const unmerged = gitSync(repo, 'commit-tree', '-p', base, '-m', 'work of a killed run', `${base}^{tree}`).trim();
    gitSync(repo, 'update-ref', workerBranch(RUN, 1), unmerged);
    gitSync(repo, 'update-ref', workerBranch(RUN, 2), base);
    const inUse = path.join(worktreesRoot(repo), RUN, '3');
    await addWorktree({ repoRoot: repo, dir: inUse, branch: workerBranch(RUN, 3), base });
    const journal = new Journal(path.join(repo, '.pi-harness', 'journal.jsonl'), 'next-run');
    const warnings: string[] = [];
    journal.onEvent((event) => {
      if (event.type === 'warning') warnings.push(event.message);
    });

    await removeLeftBranches(repo, journal, 'refs/heads/main');

    const branches = gitSync(repo, 'for-each-ref', '--format=%(refname)', 'refs/heads/pi-harness/').trim();
    expect(branches).toBe(workerBranch(RUN, 3));
    expect(gitSync(repo, 'rev-parse', `refs/pi-harness/rescue/${RUN}/1-branch`).trim()).toBe(unmerged);
    // The branch at the start branch's commit needed no rescue ref: the start branch holds it.
    expect(gitSync(repo, 'for-each-ref', `refs/pi-harness/rescue/${RUN}/2-branch`).trim()).toBe('');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`${unmerged} is in refs/pi-harness/rescue/${RUN}/1-branch`);
  });
});
