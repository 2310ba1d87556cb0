/**
 * The work tree as one step of an iteration leaves it, read once and handed down: where HEAD is,
 * a fingerprint of the content (did the step change anything?), and the iteration's changes so far
 * (committed since its start plus dirty now). The next step reads this instead of asking git again.
 */
import { iterationChanges, type ChangeFilter, type IterationChanges } from './changes.js';
import { worktreeFingerprint } from './fingerprint.js';
import { headCommit } from './git.js';
import { currentBranch } from './restore.js';

export interface TreeState {
  head: string | undefined;
  /** The branch HEAD is on (`refs/heads/...`), null when detached. */
  branch: string | null;
  /** Equal fingerprints: no product file changed in between. */
  fingerprint: string;
  changes: IterationChanges;
}

export interface TreeStateOptions {
  repoRoot: string;
  startCommit: string | undefined;
  filter: ChangeFilter;
  /** Repo-relative paths left out of the fingerprint (the task file: a tick is no product change). */
  notProduct: readonly string[];
}

export async function readTreeState(options: TreeStateOptions): Promise<TreeState> {
  const { repoRoot } = options;
  const head = await headCommit(repoRoot);
  const branch = await currentBranch(repoRoot);
  const fingerprint = await worktreeFingerprint(repoRoot, options.notProduct);
  const changes = await iterationChanges(repoRoot, options.startCommit, options.filter);
  return { head, branch, fingerprint, changes };
}
