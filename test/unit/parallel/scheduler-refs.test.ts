/**
 * A worker's guardrails against the refs a parallel run shares: what the scheduler and the merge
 * queue move while a worker's iteration runs (other workers' branches, merge records, the start
 * branch at the merged tip) is left alone; what an agent in the worker moves — the start branch
 * included, even forward — is put back.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseSnapshot, restoreSnapshot, takeSnapshot } from '../../../src/guardrails/snapshot/index.js';
import { schedulerRefs } from '../../../src/parallel/run-parallel.js';
import { addWorktree, mergedRef, workerBranch, worktreesRoot } from '../../../src/parallel/worktrees.js';
import { gitSync, makeRepo } from '../../helpers/git-repo.js';

const RUN = 'run-g';
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

async function workerRepo() {
  const repo = await makeRepo({ 'a.txt': 'a\n' });
  roots.push(worktreesRoot(repo));
  const base = gitSync(repo, 'rev-parse', 'HEAD').trim();
  const dir = path.join(worktreesRoot(repo), RUN, '1');
  await addWorktree({ repoRoot: repo, dir, branch: workerBranch(RUN, 1), base });
  /** A commit on top of `parent` that no branch holds. */
  const commitOn = (parent: string, message: string) =>
    gitSync(repo, 'commit-tree', '-p', parent, '-m', message, `${parent}^{tree}`).trim();
  return { repo, dir, base, commitOn };
}

describe("a worker's guardrails and the scheduler's refs", () => {
  it('leave the merge queue and the other workers alone, and put back an agent moving the start branch', async () => {
    const { repo, dir, base, commitOn } = await workerRepo();
    const snapshot = await takeSnapshot({ repoRoot: dir, label: 'worker-1' });
    try {
      // Meanwhile: the merge queue moves the start branch and records a merge; another worker starts.
      const merged = commitOn(base, 'merged task');
      gitSync(repo, 'update-ref', 'refs/heads/main', merged);
      gitSync(repo, 'update-ref', mergedRef(RUN, 2), merged);
      gitSync(repo, 'update-ref', workerBranch(RUN, 2), merged);
      const own = { ...schedulerRefs(RUN, 'refs/heads/main', merged), [workerBranch(RUN, 1)]: 'fast-forward' as const };
      expect((await restoreSnapshot(snapshot, { ownRefs: own, dryRun: true })).records).toEqual([]);

      // An agent in the worker moves the start branch forward past the merged tip: that is put back.
      const agents = commitOn(merged, 'agent sneaks onto the start branch');
      gitSync(repo, 'update-ref', 'refs/heads/main', agents);
      const { records } = await restoreSnapshot(snapshot, { ownRefs: own });
      expect(records).toMatchObject([{ kind: 'ref_restored', ref: 'refs/heads/main' }]);
      // Back to where the merge queue put it, not to where the worker's snapshot found it (the base):
      // that would undo the merge and leave the user's work tree ahead of its branch.
      expect(gitSync(repo, 'rev-parse', 'refs/heads/main').trim()).toBe(merged);
      // The other worker's branch and the merge record stayed where the scheduler put them.
      expect(gitSync(repo, 'rev-parse', workerBranch(RUN, 2)).trim()).toBe(merged);
      expect(gitSync(repo, 'rev-parse', mergedRef(RUN, 2)).trim()).toBe(merged);
    } finally {
      await releaseSnapshot(snapshot);
    }
  });

  it('without a merge yet, any move of the start branch is an agent one', () => {
    expect(schedulerRefs(RUN, 'refs/heads/main', undefined)['refs/heads/main']).toBeUndefined();
    expect(schedulerRefs(RUN, 'refs/heads/main', 'abc')['refs/heads/main']).toEqual({ commit: 'abc' });
  });
});
