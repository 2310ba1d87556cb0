/**
 * An iteration's diff for the page, from git (argument arrays, a time limit, a size cap): the
 * commit it made; the work it left in a rescue ref (a failure, a skip, a veto); or, while it runs,
 * the work tree against the commit it started from.
 */
import type { IterationFacts } from '../journal/fold/facts.js';
import { errorMessage } from '../util/errors.js';
import { git } from '../workspace/git.js';

const MAX_DIFF_CHARS = 256 * 1024;

export interface IterationDiff {
  /** What the diff shows, in words. */
  what: string;
  text: string;
  truncated: boolean;
}

function diffArgs(it: IterationFacts): { what: string; args: string[] } | undefined {
  if (it.commit)
    return { what: `commit ${it.commit.sha.slice(0, 12)}`, args: ['show', '--stat', '--patch', it.commit.sha] };
  if (it.rescue?.commit && it.startCommit)
    return {
      what: `work kept in ${it.rescue.ref}`,
      args: ['diff', '--stat', '--patch', it.startCommit, it.rescue.commit],
    };
  if (!it.ended && it.startCommit)
    return { what: 'the work tree so far (tracked files)', args: ['diff', '--stat', '--patch', it.startCommit] };
  return undefined;
}

export async function iterationDiff(repoRoot: string, it: IterationFacts): Promise<IterationDiff> {
  const plan = diffArgs(it);
  if (!plan) return { what: 'no change was kept', text: '', truncated: false };
  try {
    const text = await git(repoRoot, ['--no-pager', '-c', 'color.ui=never', ...plan.args], { timeoutMs: 15_000 });
    const truncated = text.length > MAX_DIFF_CHARS;
    return { what: plan.what, text: truncated ? text.slice(0, MAX_DIFF_CHARS) : text, truncated };
  } catch (error) {
    return { what: plan.what, text: `git could not show it: ${errorMessage(error)}`, truncated: false };
  }
}
