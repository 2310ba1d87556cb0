/**
 * What an iteration changed: everything committed since its start commit plus everything dirty
 * now, minus files that were already dirty when it began (their changes cannot be told apart from
 * the user's, so they are never the iteration's) and minus the harness's own files.
 */
import path from 'node:path';
import { committedChangesSince, status, type StatusEntry } from './git.js';

export interface ChangeFilter {
  /** Paths (repo-relative, forward slashes) dirty before the iteration began. */
  preDirty: ReadonlySet<string>;
  /**
   * Repo-relative directories/files that belong to the harness: its runtime dir and the runtime
   * files configured elsewhere in the repository (with the temporary names their writes use).
   */
  harnessPaths: readonly string[];
}

export function toRepoRelative(repoRoot: string, absolute: string): string {
  return path.relative(repoRoot, absolute).split(path.sep).join('/');
}

/** `file` is a temporary name an atomic write of `own` uses (`.<name>.<pid>.<hex>.tmp`, same directory). */
function isTempOf(file: string, own: string): boolean {
  const slash = own.lastIndexOf('/');
  const prefix = `${own.slice(0, slash + 1)}.${own.slice(slash + 1)}.`;
  return file.startsWith(prefix) && /^\d+\.[0-9a-f]+\.tmp$/.test(file.slice(prefix.length));
}

export function isHarnessPath(file: string, harnessPaths: readonly string[]): boolean {
  return harnessPaths.some(
    (own) => file === own || file.startsWith(own.endsWith('/') ? own : `${own}/`) || isTempOf(file, own),
  );
}

/** Paths dirty right now (tracked changes and untracked files), repo-relative. */
export async function dirtyPaths(cwd: string): Promise<string[]> {
  return (await status(cwd)).map((entry: StatusEntry) => entry.path);
}

/** Dirty paths that are not the harness's own: what blocks a run without allowDirty. */
export async function userDirtyPaths(cwd: string, harnessPaths: readonly string[]): Promise<string[]> {
  return (await dirtyPaths(cwd)).filter((file) => !isHarnessPath(file, harnessPaths));
}

export interface IterationChanges {
  /** Committed during the iteration (by an agent) since the start commit. */
  committed: string[];
  /** Dirty now and not pre-dirty: what a harness commit would take. */
  uncommitted: string[];
  /** Both, sorted, without duplicates. */
  all: string[];
}

/**
 * `head`: HEAD as the caller just read it; when it is still the start commit nothing was committed.
 * `dirty`: the dirty paths, when the caller read them with it.
 */
export async function iterationChanges(
  cwd: string,
  startCommit: string | undefined,
  filter: ChangeFilter,
  head?: string,
  dirty?: readonly string[],
  /** The files committed from `startCommit` to `head`, when the caller already asked. */
  committedToHead?: Promise<readonly string[]>,
): Promise<IterationChanges> {
  const keep = (file: string) => !filter.preDirty.has(file) && !isHarnessPath(file, filter.harnessPaths);
  const moved = startCommit !== undefined && head !== startCommit;
  const committed = moved
    ? (await (committedToHead ?? committedChangesSince(cwd, startCommit, head))).filter(keep)
    : [];
  const uncommitted = (dirty ?? (await dirtyPaths(cwd))).filter(keep);
  const all = [...new Set([...committed, ...uncommitted])].sort();
  return { committed, uncommitted, all };
}
