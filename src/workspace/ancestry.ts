/**
 * Whether one commit is an ancestor of another (`git merge-base --is-ancestor`), remembered: two
 * commit ids always give the same answer, and the end of an iteration asks it more than once
 * (its history check, and the guardrails' check that a branch only moved forward).
 */
import { BoundedCache } from '../util/bounded-cache.js';
import { rememberTree } from './commit-trees.js';
import { git, GitError } from './git.js';

const answers = new BoundedCache<string, boolean>(16);

export interface HeadCommit {
  commit: string;
  /** Its subject line. */
  subject: string;
}

/**
 * HEAD's commit and subject in one call, read after the harness commits. Its parents are
 * remembered as its ancestors (the check that the branch only moved forward then asks git
 * nothing), and its tree.
 */
export async function readHeadCommit(cwd: string): Promise<HeadCommit> {
  const output = await git(cwd, ['log', '-1', '--format=%H%x00%T%x00%P%x00%s']);
  const [commit = '', tree = '', parents = '', subject = ''] = output.trim().split('\0');
  for (const parent of parents.split(' ').filter(Boolean)) answers.set(`${cwd}\0${parent}\0${commit}`, true);
  // The next iteration starts here and asks for its tree (the integrity baseline).
  rememberTree(cwd, commit, tree);
  return { commit, subject };
}

/** True when `ancestor` is `descendant` or one of its ancestors; a git failure other than "no" throws. */
export function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  return answers.getOrLoad(`${cwd}\0${ancestor}\0${descendant}`, async () => {
    try {
      await git(cwd, ['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch (error) {
      if (error instanceof GitError && error.exitCode === 1) return false;
      throw error;
    }
  });
}
