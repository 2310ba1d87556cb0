/**
 * The work tree as one step of an iteration leaves it, read once and handed down: the commit HEAD
 * is at, a fingerprint of the content (did the step change anything?), and the iteration's changes
 * so far (committed since its start plus dirty now). The next step reads this instead of asking git
 * again. The branch is not part of it: only the start, the commit and a failed end need it.
 */
import { iterationChanges, type ChangeFilter, type IterationChanges } from './changes.js';
import { worktreeFingerprint } from './fingerprint.js';
import { gitPath } from './git.js';
import { statusWithHead } from './status-with-head.js';

export interface TreeState {
  head: string | undefined;
  /** Equal fingerprints: no product file changed in between (undefined when not taken). */
  fingerprint?: string;
  changes: IterationChanges;
  /** Where git keeps the work tree's index (read once, handed to the next read). */
  indexFile: string;
}

export interface TreeStateOptions {
  repoRoot: string;
  startCommit: string | undefined;
  filter: ChangeFilter;
  /** Repo-relative paths left out of the fingerprint (the task file: a tick is no product change). */
  notProduct: readonly string[];
  /** Take the content fingerprint (default); a step that compares nothing against it skips it. */
  fingerprint?: boolean;
  /** The index path a previous read found. */
  indexFile?: string;
}

export async function readTreeState(options: TreeStateOptions): Promise<TreeState> {
  const { repoRoot } = options;
  const { head, entries } = await statusWithHead(repoRoot);
  const indexFile = options.indexFile ?? (await gitPath(repoRoot, 'index'));
  const fingerprint =
    options.fingerprint === false ? undefined : await worktreeFingerprint(repoRoot, options.notProduct, indexFile);
  const dirty = entries.map((entry) => entry.path);
  const changes = await iterationChanges(repoRoot, options.startCommit, options.filter, head, dirty);
  return { head, ...(fingerprint !== undefined ? { fingerprint } : {}), changes, indexFile };
}
