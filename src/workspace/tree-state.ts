/**
 * The work tree as one step of an iteration leaves it, read once and handed down: the commit HEAD
 * is at, a fingerprint of the content (did the step change anything?), and the iteration's changes
 * so far (committed since its start plus dirty now). The next step reads this instead of asking git
 * again. The branch comes with the status when its header names one for sure.
 */
import { iterationChanges, type ChangeFilter, type IterationChanges } from './changes.js';
import { startedAhead } from '../util/started-ahead.js';
import { committedChangesSince } from './git.js';
import { worktreeFingerprint } from './fingerprint.js';
import { statusWithHead } from './status-with-head.js';

export interface TreeState {
  head: string | undefined;
  /** The branch HEAD is on (`refs/heads/...`) when the status said so for sure; else ask git. */
  branch?: string;
  /** Equal fingerprints: no product file changed in between (undefined when not taken). */
  fingerprint?: string;
  changes: IterationChanges;
}

export interface TreeStateOptions {
  repoRoot: string;
  startCommit: string | undefined;
  filter: ChangeFilter;
  /** Repo-relative paths left out of the fingerprint (the task file: a tick is no product change). */
  notProduct: readonly string[];
  /** Take the content fingerprint (default); a step that compares nothing against it skips it. */
  fingerprint?: boolean;
  /**
   * Where HEAD should be (a commit the caller just made): the changes committed up to it are read
   * beside the status, and used when the status finds HEAD there.
   */
  expectedHead?: string;
}

/** The committed changes up to the expected HEAD, asked ahead of the status (its failure surfaces if used). */
function committedAhead(options: TreeStateOptions): Promise<readonly string[]> | undefined {
  const { startCommit, expectedHead } = options;
  if (startCommit === undefined || expectedHead === undefined || expectedHead === startCommit) return undefined;
  return startedAhead(committedChangesSince(options.repoRoot, startCommit, expectedHead));
}

export async function readTreeState(options: TreeStateOptions): Promise<TreeState> {
  const { repoRoot } = options;
  const ahead = committedAhead(options);
  // The status and the fingerprint read the same files into different indexes: side by side. The
  // fingerprint asks where git keeps the index only the first time, to seed its scratch index.
  const [{ head, branch, entries }, fingerprint] = await Promise.all([
    statusWithHead(repoRoot),
    options.fingerprint === false ? undefined : worktreeFingerprint(repoRoot, options.notProduct),
  ]);
  const dirty = entries.map((entry) => entry.path);
  const known = head !== undefined && head === options.expectedHead ? ahead : undefined;
  const changes = await iterationChanges(repoRoot, options.startCommit, options.filter, head, dirty, known);
  return {
    head,
    ...(branch !== undefined ? { branch } : {}),
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    changes,
  };
}
