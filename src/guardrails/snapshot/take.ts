/**
 * Taking the snapshot before an iteration's first turn: every ref, the whole stash, the git
 * config files, the hooks folder and the ignored files present. Two refs under
 * refs/pi-harness/guardrails/ keep what a restore may need from any `gc`: a commit with every ref's
 * commit and every stash entry as a parent, and a tree holding the stored content. The content is
 * never part of a commit, so the user's ignored secrets (a `.env`) appear in no commit of the
 * repository, not even the harness's own.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { BoundedCache } from '../../util/bounded-cache.js';
import { git } from '../../workspace/git.js';
import { commitTree, withTempIndex } from '../../workspace/tree-builder.js';
import { blobSources, forgetStoredBlobs, listIgnoredFiles, storeBlobs } from './ignored-files.js';
import { GUARD_REF_PREFIX, readRefState } from './read-refs.js';
import { DEFAULT_LIMITS, type GitSnapshot, type SnapshotLimits, type StoredFile } from './types.js';

export { GUARD_REF_PREFIX } from './read-refs.js';

/** The empty tree's id by git directory (its object format), written once per repository and run. */
const emptyTrees = new BoundedCache<string, string>(4);
/**
 * The content tree last written for the same stored files (git config, hooks, ignored files),
 * which seldom change between iterations: the same entries give the same tree, written once.
 */
const contentTrees = new BoundedCache<string, string>(4);
/** The git directories of a work tree, by what its `.git` says (a linked worktree's names its own). */
const gitDirs = new BoundedCache<string, readonly [string, string]>(8);

/** The work tree's git directory and common directory, asked of git once per `.git` seen. */
async function gitDirsOf(repoRoot: string): Promise<readonly [string, string]> {
  // A directory reads as EISDIR; a linked worktree's file names its git directory, so a worktree
  // made again at the same path with another one is asked again.
  const dotGit = await readFile(path.join(repoRoot, '.git'), 'utf8').catch(() => '');
  return gitDirs.getOrLoad(`${repoRoot}\0${dotGit}`, async () => {
    const dirs = (await git(repoRoot, ['rev-parse', '--git-dir', '--git-common-dir'])).split('\n');
    return [path.resolve(repoRoot, dirs[0]!.trim()), path.resolve(repoRoot, dirs[1]!.trim())] as const;
  });
}

export interface TakeSnapshotOptions {
  repoRoot: string;
  /** Names the pin ref, e.g. `<runId>-<iteration>`. */
  label: string;
  /** `false` keeps no ignored files; an object adjusts the limits. */
  protectIgnored?: boolean | Partial<SnapshotLimits>;
  /** Repository-relative directories that are the harness's own (its runtime directory). */
  harnessPaths?: readonly string[];
}

export async function takeSnapshot(options: TakeSnapshotOptions): Promise<GitSnapshot> {
  const { repoRoot } = options;
  const [gitDir, gitCommonDir] = await gitDirsOf(repoRoot);
  const limits =
    options.protectIgnored === false
      ? undefined
      : { ...DEFAULT_LIMITS, ...(typeof options.protectIgnored === 'object' ? options.protectIgnored : {}) };
  // Four reads of their own, side by side: each git call waits for git to start.
  const [{ refs, stash, peeled }, gitFiles, hooks, listing] = await Promise.all([
    readRefState(repoRoot),
    listGitFiles(gitDir, gitCommonDir),
    listFolder(path.join(gitCommonDir, 'hooks')),
    limits ? listIgnoredFiles(repoRoot, limits, options.harnessPaths ?? []) : { files: [], unprotected: [] },
  ]);
  // One `hash-object` for all of it: git's config files, the hooks and the ignored files.
  const sources = [
    ...gitFiles.flatMap((file) => (file.blob === null ? [] : [{ absolute: file.file, into: file }])),
    ...blobSources(hooks, path.join(gitCommonDir, 'hooks')),
    ...blobSources(listing.files, repoRoot),
  ];
  const remembered = await storeBlobs(repoRoot, sources);
  const snapshot: GitSnapshot = {
    version: 1,
    label: options.label,
    takenAt: new Date().toISOString(),
    repoRoot,
    gitDir,
    gitCommonDir,
    pinRef: `${GUARD_REF_PREFIX}snapshot/${options.label}`,
    contentRef: `${GUARD_REF_PREFIX}content/${options.label}`,
    refs,
    stash,
    gitFiles,
    hooks,
    ignored: listing.files,
    unprotected: listing.unprotected,
  };
  const pinned = { rememberedTree: false };
  try {
    await pin(snapshot, peeled, pinned);
  } catch (error) {
    // Remembered blobs or trees no ref held any more may have been pruned (`git gc --prune=now`):
    // stored and written again, once.
    if (!remembered && !pinned.rememberedTree) throw error;
    forgetStoredBlobs();
    contentTrees.clear();
    await storeBlobs(repoRoot, sources);
    await pin(snapshot, peeled, pinned);
  }
  return snapshot;
}

/** git's config files, each with an empty blob id to fill in when it exists and null when it does not. */
async function listGitFiles(gitDir: string, gitCommonDir: string): Promise<GitSnapshot['gitFiles']> {
  const files: GitSnapshot['gitFiles'] = [];
  for (const [name, file] of [
    ['config', path.join(gitCommonDir, 'config')],
    ['config.worktree', path.join(gitDir, 'config.worktree')],
  ] as const) {
    const exists = await lstat(file).then(
      (s) => s.isFile(),
      () => false,
    );
    files.push({ name, file, blob: exists ? '' : null });
  }
  return files;
}

/** The regular files and symlinks directly in `dir` (none when it does not exist). */
export async function listFolder(dir: string): Promise<StoredFile[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: StoredFile[] = [];
  for (const name of names.sort()) {
    const stats = await lstat(path.join(dir, name)).catch(() => undefined);
    if (stats?.isSymbolicLink()) files.push({ path: name, mode: 0o777, symlink: await readlink(path.join(dir, name)) });
    else if (stats?.isFile()) files.push({ path: name, mode: stats.mode & 0o777 });
  }
  return files;
}

/**
 * A tree of the stored blobs (content ref) and a commit whose parents are every ref's commit (pin
 * ref). `peeled`: the commits the ref listing already resolved; only the rest are asked of git.
 */
async function pin(
  snapshot: GitSnapshot,
  peeled: ReadonlyMap<string, string>,
  /** Set when the content tree was one remembered from an earlier snapshot. */
  used: { rememberedTree: boolean },
): Promise<void> {
  const cwd = snapshot.repoRoot;
  const entries: string[] = [];
  const add = (blob: string | undefined | null, name: string) => {
    if (blob) entries.push(`100644 ${blob}\t${name}`);
  };
  for (const file of snapshot.gitFiles) add(file.blob, `git/${file.name}`);
  for (const hook of snapshot.hooks) add(hook.blob, `hooks/${hook.path}`);
  for (const file of snapshot.ignored) add(file.blob, `ignored/${file.path}`);
  const contentKey = `${snapshot.gitCommonDir}\0${entries.join('\0')}`;
  const remembered = entries.length === 0 ? undefined : contentTrees.get(contentKey);
  used.rememberedTree = remembered !== undefined;
  const [empty, written] = await Promise.all([
    emptyTrees.getOrLoad(snapshot.gitCommonDir, () =>
      withTempIndex(async (env) => (await git(cwd, ['write-tree'], { env })).trim()),
    ),
    entries.length === 0 ? undefined : (remembered ?? writeContent(cwd, contentKey, entries)),
  ]);
  const content = written ?? empty;
  const targets = [
    ...Object.values(snapshot.refs).filter((v) => !v.startsWith('ref: ')),
    ...snapshot.stash.map((e) => e.commit),
  ];
  const unique = [...new Set(targets)];
  const known = unique.flatMap((id) => peeled.get(id) ?? []);
  const commits = [
    ...new Set([
      ...known,
      ...(await peelToCommits(
        cwd,
        unique.filter((id) => !peeled.has(id)),
      )),
    ]),
  ];
  const commit = await commitTree(cwd, {
    tree: empty,
    parents: commits,
    message: `pi-harness guardrail snapshot ${snapshot.label}\n`,
  });
  const updates = `update ${snapshot.contentRef} ${content}\nupdate ${snapshot.pinRef} ${commit}\n`;
  await git(cwd, ['update-ref', '-m', 'pi-harness guardrail snapshot', '--stdin'], { input: updates });
}

/** Writes the tree of the stored blobs (`entries`: index-info lines) and remembers it. */
async function writeContent(cwd: string, key: string, entries: readonly string[]): Promise<string> {
  const tree = await withTempIndex(async (env) => {
    await git(cwd, ['update-index', '-z', '--index-info'], { env, input: `${entries.join('\0')}\0` });
    return (await git(cwd, ['write-tree'], { env })).trim();
  });
  contentTrees.set(key, tree);
  return tree;
}

/** The commits `objects` peel to (tags to their commits; trees and blobs left out). */
export async function peelToCommits(cwd: string, objects: readonly string[]): Promise<string[]> {
  if (objects.length === 0) return [];
  const input = objects.map((o) => `${o}^{commit}`).join('\n');
  const output = await git(cwd, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: `${input}\n` });
  return [...new Set(output.split('\n').flatMap((line) => (line.endsWith(' commit') ? [line.split(' ')[0]!] : [])))];
}

/** Drops the pins once the snapshot is no longer needed. */
export async function releaseSnapshot(snapshot: GitSnapshot): Promise<void> {
  const deletes = `delete ${snapshot.pinRef}\ndelete ${snapshot.contentRef}\n`;
  await git(snapshot.repoRoot, ['update-ref', '--stdin'], { input: deletes }).catch(async () => {
    // One of them already gone fails the whole transaction: then each on its own.
    await git(snapshot.repoRoot, ['update-ref', '-d', snapshot.pinRef]).catch(() => undefined);
    await git(snapshot.repoRoot, ['update-ref', '-d', snapshot.contentRef]).catch(() => undefined);
  });
}
