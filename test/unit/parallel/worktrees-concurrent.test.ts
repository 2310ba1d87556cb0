/**
 * Workers start at the same moment: their `git worktree add` calls must not trip over each other's
 * half-written bookkeeping in `.git/worktrees/` (seen once as "failed to read .git/worktrees/1/commondir").
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { addWorktree, listWorktrees, workerBranch, worktreesRoot } from '../../../src/parallel/worktrees.js';
import { gitSync, makeRepo } from '../../helpers/git-repo.js';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('worktrees added at once', () => {
  // Without the turn-taking, one round in three failed here: three rounds make a miss unlikely.
  it('all six come into being, each on its own branch at the base, round after round', async () => {
    const repo = await makeRepo({ 'a.txt': 'a\n' });
    roots.push(worktreesRoot(repo));
    const base = gitSync(repo, 'rev-parse', 'HEAD').trim();
    const numbers = [1, 2, 3, 4, 5, 6];
    for (const run of ['run-a', 'run-b', 'run-c']) {
      const dirOf = (n: number) => path.join(worktreesRoot(repo), run, String(n));
      await Promise.all(
        numbers.map((n) => addWorktree({ repoRoot: repo, dir: dirOf(n), branch: workerBranch(run, n), base })),
      );
      for (const n of numbers) expect(gitSync(repo, 'rev-parse', workerBranch(run, n)).trim()).toBe(base);
    }
    expect(await listWorktrees(repo)).toHaveLength(1 + 3 * numbers.length);
  });
});
