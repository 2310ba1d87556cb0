/**
 * Puts the repository back where an iteration started, so the next task begins clean — after the
 * iteration's work has been kept by rescueWork. Only the iteration's own paths are touched:
 *
 * - HEAD moves back to the start commit with `update-ref` (a soft reset: index and files stay), so
 *   no file is lost by moving the branch; then each path is dealt with one by one.
 * - Tracked files the iteration changed get their start-commit content, in the index and on disk.
 * - Files the iteration created are dropped from the index and deleted — unless git ignores them
 *   (a `.env` an agent force-committed may well be the user's): those stay on disk. Directories
 *   left empty are not removed (one may have been the user's; git does not see empty directories).
 * - A pre-dirty path is never touched without a snapshot. With one, it gets back exactly the bytes
 *   and index entry the user had (the agent's edits to it are in the rescue).
 * - Harness paths are never touched.
 */
import { lstat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { iterationChanges, isHarnessPath, type ChangeFilter } from './changes.js';
import { git, GitError, headCommit } from './git.js';
import { preDirtyChanged, restorePreDirty, type PreDirtySnapshot } from './predirty.js';
import { changedBetween, listTree } from './tree-builder.js';

export interface RestoreOptions {
  cwd: string;
  startCommit: string;
  preDirty: ReadonlySet<string>;
  harnessPaths: readonly string[];
  preDirtySnapshot?: PreDirtySnapshot;
  /**
   * The branch HEAD was on at the start (`refs/heads/main`), null if it was detached. When given
   * and an agent switched branches, HEAD is put back on it and the other branch is left alone.
   */
  startBranch?: string | null;
}

export interface RestoreReport {
  /** Where HEAD was before it was moved back to the start commit (agents had committed). */
  headMovedFrom?: string;
  /** The branch (or commit) HEAD was on when it was put back on the start branch. */
  reattachedFrom?: string;
  /** Tracked paths given back their start-commit content. */
  restored: string[];
  /** Files the iteration created, deleted. */
  removed: string[];
  /** Files the iteration created that git ignores: left on disk. */
  keptIgnored: string[];
  /** Pre-dirty files given back the user's bytes. */
  preDirtyRestored: string[];
  /** Iteration paths still dirty after the restore (should be none). */
  leftovers: string[];
  /** HEAD is at the start commit and nothing is left over. */
  clean: boolean;
}

/** The branch HEAD points at (`refs/heads/...`), or null when HEAD is detached. */
export async function currentBranch(cwd: string): Promise<string | null> {
  try {
    return (await git(cwd, ['symbolic-ref', '-q', 'HEAD'])).trim() || null;
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) return null;
    throw error;
  }
}

async function putHeadBack(cwd: string, options: RestoreOptions, report: RestoreReport): Promise<void> {
  const { startBranch, startCommit } = options;
  const branch = await currentBranch(cwd);
  if (startBranch !== undefined && branch !== startBranch) {
    report.reattachedFrom = branch ?? (await headCommit(cwd));
    // Moves HEAD only: the index and files stay, and the agent's branch keeps its commits.
    if (startBranch === null)
      await git(cwd, ['update-ref', '--no-deref', '-m', 'pi-harness: restore', 'HEAD', startCommit]);
    else await git(cwd, ['symbolic-ref', '-m', 'pi-harness: restore', 'HEAD', startBranch]);
  }
  const head = await headCommit(cwd);
  if (head !== startCommit) {
    // Compare-and-swap on the old value; never touches the index or the work tree.
    await git(cwd, [
      'update-ref',
      '-m',
      'pi-harness: restore to iteration start',
      'HEAD',
      startCommit,
      ...(head ? [head] : []),
    ]);
    report.headMovedFrom = head;
  }
}

/** Which of `files` git ignores (looking only at ignore rules, not the index). */
async function ignoredAmong(cwd: string, files: readonly string[]): Promise<Set<string>> {
  try {
    const output = await git(cwd, ['check-ignore', '-z', '--no-index', '--stdin'], { input: `${files.join('\0')}\0` });
    return new Set(output.split('\0').filter(Boolean));
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) return new Set(); // none ignored
    throw error;
  }
}

async function deleteFile(cwd: string, file: string): Promise<boolean> {
  const absolute = path.join(cwd, file);
  const info = await lstat(absolute).catch(() => undefined);
  if (!info || info.isDirectory()) return false;
  await unlink(absolute);
  return true;
}

export async function restoreToStart(options: RestoreOptions): Promise<RestoreReport> {
  const { cwd, startCommit } = options;
  const filter: ChangeFilter = { preDirty: options.preDirty, harnessPaths: options.harnessPaths };
  const report: RestoreReport = {
    restored: [],
    removed: [],
    keptIgnored: [],
    preDirtyRestored: [],
    leftovers: [],
    clean: false,
  };
  // Collect the paths before HEAD moves: afterwards the committed ones no longer show as changes.
  const paths = new Set((await iterationChanges(cwd, startCommit, filter)).all);
  const agentHead = await headCommit(cwd);
  await putHeadBack(cwd, options, report);
  // HEAD was re-attached to a start branch that agents had also moved: its commits count too.
  if (report.headMovedFrom && report.headMovedFrom !== agentHead) {
    for (const file of await changedBetween(cwd, startCommit, report.headMovedFrom)) paths.add(file);
  }
  const own = [...paths]
    .filter((file) => !options.preDirty.has(file) && !isHarnessPath(file, options.harnessPaths))
    .sort();
  const inStart = await listTree(cwd, startCommit);
  const created = own.filter((file) => !inStart.has(file));
  report.restored = own.filter((file) => inStart.has(file));

  if (created.length > 0)
    await git(cwd, ['update-index', '--force-remove', '-z', '--stdin'], { input: created.join('\0') });
  if (report.restored.length > 0) {
    const args = ['--literal-pathspecs', 'checkout', startCommit, '--pathspec-from-file=-', '--pathspec-file-nul'];
    await git(cwd, args, { input: report.restored.join('\0') });
  }
  if (options.preDirtySnapshot)
    report.preDirtyRestored = (await restorePreDirty(cwd, options.preDirtySnapshot)).restored;
  // Only now, with every .gitignore back as it was, ask which created files are ignored: an agent
  // that un-ignored the user's `.env` must not get it deleted.
  if (created.length > 0) {
    const ignored = await ignoredAmong(cwd, created);
    for (const file of created) {
      if (ignored.has(file)) report.keptIgnored.push(file);
      else if (await deleteFile(cwd, file)) report.removed.push(file);
    }
  }

  // Verify rather than trust: whatever is still dirty is reported, never hidden.
  const leftovers = new Set((await iterationChanges(cwd, startCommit, filter)).all);
  if (options.preDirtySnapshot)
    for (const file of await preDirtyChanged(cwd, options.preDirtySnapshot)) leftovers.add(file);
  report.leftovers = [...leftovers].sort();
  report.clean = report.leftovers.length === 0 && (await headCommit(cwd)) === startCommit;
  return report;
}
