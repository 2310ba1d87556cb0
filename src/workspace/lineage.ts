/**
 * Whether agents moved the repository somewhere a commit must not land: onto another branch, a
 * detached HEAD, or a history that no longer contains the iteration's start commit (`git reset`
 * past it, `git commit --amend` of the user's commit, a rebase). Committing there would leave the
 * user's branch behind or drop their commits from it, so the iteration is failed instead and the
 * rescue/restore path puts HEAD back on the start branch at the start commit.
 */
import { isAncestor } from './ancestry.js';
import { headCommit } from './git.js';
import { currentBranch } from './restore.js';

function shortBranch(ref: string): string {
  return ref.replace(/^refs\/heads\//, '');
}

/** Where HEAD is now, when the caller has just read it (what it did not read is read here). */
export interface HeadNow {
  head: string | undefined;
  /** The branch HEAD is on (`refs/heads/...`), null when detached. */
  branch?: string | null;
}

/**
 * A sentence saying what the agents did to HEAD, or undefined when it still descends from the
 * iteration's start commit on the start branch.
 */
export async function lineageViolation(
  cwd: string,
  startCommit: string,
  startBranch: string | null | undefined,
  now?: HeadNow,
): Promise<string | undefined> {
  if (startBranch !== undefined) {
    const branch = now?.branch !== undefined ? now.branch : await currentBranch(cwd);
    if (branch !== startBranch) {
      const now = branch ? `branch ${shortBranch(branch)}` : 'a detached HEAD';
      const was = startBranch ? `branch ${shortBranch(startBranch)}` : 'a detached HEAD';
      return `the agents moved HEAD from ${was} to ${now}; nothing was committed there`;
    }
  }
  const head = now ? now.head : await headCommit(cwd);
  if (!head) return `the agents left HEAD without a commit (the iteration started at ${startCommit.slice(0, 10)})`;
  if (head === startCommit) return undefined;
  if (await isAncestor(cwd, startCommit, head)) return undefined;
  return `the agents rewrote history: commit ${startCommit.slice(0, 10)}, where the iteration started, is no longer part of HEAD (a reset, amend or rebase)`;
}
