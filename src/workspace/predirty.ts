/**
 * Files the user had dirty when an iteration began (allowed by `allowDirty`). An agent's edit to
 * such a file cannot be told apart from the user's by looking at the file, so the iteration
 * snapshots them first: a stash-like commit made through a temporary index (the user's index and
 * files are not touched), kept under refs/pi-harness/predirty/. With it, restoring after a failed
 * iteration puts back the user's exact bytes and index entries, and the rescue keeps only what the
 * agent changed on top.
 *
 * Snapshot layout (like `git stash`): commit W = the start commit's tree with every pre-dirty path
 * as it was on disk (absent when the user had deleted it); parents [startCommit, I], where I is a
 * commit of the user's index as it was (omitted when the index could not be recorded, e.g. during
 * an unresolved merge).
 */
import { copyFile, lstat, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isHarnessPath } from './changes.js';
import { git, gitPath } from './git.js';
import {
  changedBetween,
  commitTree,
  createHarnessRef,
  listTree,
  setIndexEntries,
  treeOf,
  treeWithPaths,
} from './tree-builder.js';

export interface PreDirtySnapshot {
  ref: string;
  /** W: the pre-dirty files as they were on disk, on top of the start commit. */
  commit: string;
  startCommit: string;
  /** I: the user's index as it was, when it could be recorded. */
  indexCommit?: string;
  /** The pre-dirty paths, sorted. */
  paths: string[];
}

/** Where an iteration's snapshot of pre-dirty files goes (createHarnessRef adds a suffix if it is taken). */
export function preDirtyRefName(runId: string, iteration: number): string {
  return `refs/pi-harness/predirty/${runId}/${iteration}`;
}

export interface SnapshotOptions {
  cwd: string;
  startCommit: string;
  preDirty: ReadonlySet<string>;
  harnessPaths: readonly string[];
  /** Under refs/pi-harness/predirty/, e.g. refs/pi-harness/predirty/<runId>/<iteration>. */
  refName: string;
}

/** Commits a copy of the user's index (never the index itself, which stays untouched). */
async function snapshotIndex(cwd: string, startCommit: string): Promise<string | undefined> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pi-harness-user-index-'));
  try {
    const copy = path.join(dir, 'index');
    try {
      await copyFile(await gitPath(cwd, 'index'), copy);
    } catch {
      return undefined; // no index file at all
    }
    const tree = (await git(cwd, ['write-tree'], { env: { ...process.env, GIT_INDEX_FILE: copy } })).trim();
    return await commitTree(cwd, { tree, parents: [startCommit], message: 'pi-harness: index before iteration\n' });
  } catch {
    return undefined; // e.g. unmerged entries: the work-tree snapshot still protects the files
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Records the pre-dirty files; undefined when there are none. */
export async function snapshotPreDirty(options: SnapshotOptions): Promise<PreDirtySnapshot | undefined> {
  const { cwd, startCommit } = options;
  const paths = [...options.preDirty].filter((file) => !isHarnessPath(file, options.harnessPaths)).sort();
  if (paths.length === 0) return undefined;
  const indexCommit = await snapshotIndex(cwd, startCommit);
  const tree = await treeWithPaths(cwd, startCommit, paths);
  const message = `pi-harness: files dirty before the iteration\n\n${paths.join('\n')}\n`;
  const commit = await commitTree(cwd, {
    tree,
    parents: indexCommit ? [startCommit, indexCommit] : [startCommit],
    message,
  });
  const ref = await createHarnessRef(cwd, options.refName, commit);
  return { ref, commit, startCommit, paths, ...(indexCommit ? { indexCommit } : {}) };
}

/** Reads a snapshot back from its ref (after a crash, from the state's preDirtyRef). */
export async function readPreDirtySnapshot(cwd: string, ref: string): Promise<PreDirtySnapshot> {
  const commit = (await git(cwd, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
  const [, startCommit, indexCommit] = (await git(cwd, ['rev-list', '--parents', '-n', '1', commit])).trim().split(' ');
  if (!startCommit) throw new Error(`${ref} is not a pre-dirty snapshot (it has no parent)`);
  // A path is pre-dirty if its work-tree or its index version differed from the start commit.
  const changed = new Set(await changedBetween(cwd, startCommit, commit));
  if (indexCommit) for (const file of await changedBetween(cwd, startCommit, indexCommit)) changed.add(file);
  return { ref, commit, startCommit, paths: [...changed].sort(), ...(indexCommit ? { indexCommit } : {}) };
}

/** Pre-dirty paths whose content on disk is no longer what the snapshot recorded. */
export async function preDirtyChanged(cwd: string, snapshot: PreDirtySnapshot): Promise<string[]> {
  if (snapshot.paths.length === 0) return [];
  const now = await treeWithPaths(cwd, snapshot.commit, snapshot.paths);
  return changedBetween(cwd, await treeOf(cwd, snapshot.commit), now);
}

export interface PreDirtyRestore {
  /** Files whose bytes were put back (or removed again, when the user had deleted them). */
  restored: string[];
  /** The index entries of the pre-dirty paths were reset to the user's. */
  indexRestored: boolean;
}

/**
 * Puts every pre-dirty file back exactly as the snapshot recorded it, and its index entry as the
 * user had it. Files that already match are not rewritten.
 */
export async function restorePreDirty(cwd: string, snapshot: PreDirtySnapshot): Promise<PreDirtyRestore> {
  const changed = await preDirtyChanged(cwd, snapshot);
  const inSnapshot = await listTree(cwd, snapshot.commit);
  const toWrite = changed.filter((file) => inSnapshot.has(file));
  for (const file of changed.filter((entry) => !inSnapshot.has(entry))) {
    // The user had this path deleted (or never had it): remove what the agent put there.
    const absolute = path.join(cwd, file);
    const info = await lstat(absolute).catch(() => undefined);
    if (info && !info.isDirectory()) await unlink(absolute);
  }
  if (toWrite.length > 0) {
    // --worktree only: the index is dealt with below, from the user's own index snapshot.
    const args = [
      '--literal-pathspecs',
      'restore',
      `--source=${snapshot.commit}`,
      '--worktree',
      '--pathspec-from-file=-',
      '--pathspec-file-nul',
    ];
    await git(cwd, args, { input: toWrite.join('\0') });
  }
  if (snapshot.indexCommit) await setIndexEntries(cwd, process.env, snapshot.indexCommit, snapshot.paths);
  return { restored: changed, indexRestored: snapshot.indexCommit !== undefined };
}

export interface PreDirtyCheck {
  /** Pre-dirty files an agent had put back to their committed version; the user's bytes are back. */
  reclaimed: string[];
  /** Pre-dirty files an agent edited otherwise: left as they are, the user's version is in the snapshot. */
  edited: string[];
}

/**
 * After a successful iteration (nothing is restored then): an agent that ran `git stash` or
 * `git checkout -- <file>` silently took the user's uncommitted edits out of the work tree. Where a
 * pre-dirty file now matches HEAD in the index and on disk, giving the user's version back loses
 * nothing (the committed version is in git); other edits are only reported.
 */
export async function reclaimPreDirty(cwd: string, snapshot: PreDirtySnapshot): Promise<PreDirtyCheck> {
  const changed = await preDirtyChanged(cwd, snapshot);
  if (changed.length === 0) return { reclaimed: [], edited: [] };
  const dirty = new Set(
    (
      await git(cwd, [
        '--literal-pathspecs',
        'status',
        '--porcelain=v1',
        '-z',
        '--untracked-files=all',
        '--no-renames',
        '--',
        ...changed,
      ])
    )
      .split('\0')
      .filter((field) => field.length > 3)
      .map((field) => field.slice(3)),
  );
  const reclaimed = changed.filter((file) => !dirty.has(file));
  if (reclaimed.length > 0) await restorePreDirty(cwd, { ...snapshot, paths: reclaimed });
  return { reclaimed, edited: changed.filter((file) => dirty.has(file)) };
}
