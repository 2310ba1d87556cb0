/**
 * Agents commit with `git add -A` and take along whatever is dirty: the user's pre-dirty files
 * (allowDirty) or the harness's own. Such paths are foreign to the iteration. The loop detects them
 * and rebuilds the iteration's commits as one commit without them; the files themselves stay in
 * the work tree exactly as they are, dirty again, as if the agent had never staged them.
 */
import { isHarnessPath } from './changes.js';
import { committedChangesSince, git, headCommit } from './git.js';
import type { PreDirtySnapshot } from './predirty.js';
import { commitTree, setIndexEntries, treeOf, withTempIndex } from './tree-builder.js';

export interface ForeignFilesOptions {
  cwd: string;
  startCommit: string;
  preDirty: ReadonlySet<string>;
  harnessPaths?: readonly string[];
  /** HEAD's commit, when the caller has just read it (the changes since the start are then known). */
  head?: string;
}

/** Pre-dirty or harness paths that commits made since `startCommit` changed, sorted. */
export async function detectForeignFilesInCommits(options: ForeignFilesOptions): Promise<string[]> {
  const committed = await committedChangesSince(options.cwd, options.startCommit, options.head);
  const own = options.harnessPaths ?? [];
  return committed.filter((file) => options.preDirty.has(file) || isHarnessPath(file, own)).sort();
}

export interface RebuildOptions {
  cwd: string;
  startCommit: string;
  /** Paths to take out of the iteration's commits. */
  exclude: readonly string[];
  /** The new commit's message; by default the replaced commits' messages, oldest first. */
  message?: string;
  /** With it, excluded pre-dirty paths get back the user's own index entries (partly staged work). */
  preDirtySnapshot?: PreDirtySnapshot;
}

export interface RebuildResult {
  /** The new HEAD commit; undefined when nothing but excluded paths was committed (HEAD = start). */
  commit: string | undefined;
  /** The commits that were replaced, oldest first (still reachable from the reflog). */
  replaced: string[];
  excluded: string[];
}

/** The author and committer of `commit`, so the rebuilt commit is credited like the original. */
async function identityOf(cwd: string, commit: string): Promise<NodeJS.ProcessEnv> {
  const [an = '', ae = '', ad = '', cn = '', ce = ''] = (
    await git(cwd, ['log', '-1', '--format=%an%x00%ae%x00%aI%x00%cn%x00%ce', commit])
  )
    .trimEnd()
    .split('\0');
  return {
    GIT_AUTHOR_NAME: an,
    GIT_AUTHOR_EMAIL: ae,
    GIT_AUTHOR_DATE: ad,
    GIT_COMMITTER_NAME: cn,
    GIT_COMMITTER_EMAIL: ce,
  };
}

/**
 * Squashes the commits since `startCommit` into one commit on top of it whose tree is HEAD's with
 * every excluded path at its start-commit version. Moves the branch (compare-and-swap) and resets
 * the excluded paths' index entries; the work tree is never touched.
 */
export async function rebuildCommitWithout(options: RebuildOptions): Promise<RebuildResult> {
  const { cwd, startCommit } = options;
  const excluded = [...new Set(options.exclude)].sort();
  const head = await headCommit(cwd);
  if (!head || head === startCommit || excluded.length === 0)
    return { commit: head === startCommit ? undefined : head, replaced: [], excluded: [] };
  const replaced = (await git(cwd, ['rev-list', '--reverse', `${startCommit}..${head}`])).split('\n').filter(Boolean);

  const tree = await withTempIndex(async (env) => {
    await git(cwd, ['read-tree', head], { env });
    await setIndexEntries(cwd, env, startCommit, excluded);
    return (await git(cwd, ['write-tree'], { env })).trim();
  });
  let commit: string | undefined;
  if (tree !== (await treeOf(cwd, startCommit))) {
    const messages = await git(cwd, ['log', '--reverse', '--format=%B', `${startCommit}..${head}`]);
    const message = options.message ?? `${messages.trim()}\n`;
    commit = await commitTree(cwd, { tree, parents: [startCommit], message, identity: await identityOf(cwd, head) });
  }
  await git(cwd, [
    'update-ref',
    '-m',
    'pi-harness: rebuild commit without foreign files',
    'HEAD',
    commit ?? startCommit,
    head,
  ]);

  // The user's index: excluded paths look as before the agent staged them.
  const snapshot = options.preDirtySnapshot;
  const fromSnapshot = snapshot?.indexCommit ? excluded.filter((file) => snapshot.paths.includes(file)) : [];
  const fromStart = excluded.filter((file) => !fromSnapshot.includes(file));
  await setIndexEntries(cwd, process.env, startCommit, fromStart);
  if (snapshot?.indexCommit) await setIndexEntries(cwd, process.env, snapshot.indexCommit, fromSnapshot);
  return { commit, replaced, excluded };
}
