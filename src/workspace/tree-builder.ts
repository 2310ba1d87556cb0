/**
 * Builds git trees and commits out of the work tree WITHOUT touching the user's index or files:
 * every staging step runs against a throwaway index (GIT_INDEX_FILE in a temp dir). Paths are
 * always passed through stdin, NUL-separated, to plumbing that takes them literally — no pathspec
 * magic, no argument-length limit, any file name.
 */
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git } from './git.js';

/** Runs `fn` with an environment whose index is a fresh temporary file, removed afterwards. */
export async function withTempIndex<T>(fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pi-harness-index-'));
  try {
    return await fn({ ...process.env, GIT_INDEX_FILE: path.join(dir, 'index') });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A regular file or symlink git can store; directories (and nothing) count as absent. */
async function storable(cwd: string, file: string): Promise<boolean> {
  try {
    return !(await lstat(path.join(cwd, file))).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Makes the index selected by `env` hold each path as it is on disk now: present files are added
 * (ignore rules do not apply: the paths were chosen by the caller), absent ones removed.
 */
export async function stageFromWorkTree(cwd: string, env: NodeJS.ProcessEnv, paths: readonly string[]): Promise<void> {
  const present: string[] = [];
  const absent: string[] = [];
  for (const file of paths) ((await storable(cwd, file)) ? present : absent).push(file);
  if (absent.length > 0)
    await git(cwd, ['update-index', '--force-remove', '-z', '--stdin'], { env, input: absent.join('\0') });
  if (present.length > 0) {
    // --replace: a file may now stand where the base had a directory, or the other way round.
    await git(cwd, ['update-index', '--add', '--remove', '--replace', '-z', '--stdin'], {
      env,
      input: present.join('\0'),
    });
  }
}

/** The tree of `base` with `paths` taken from the work tree as they are now. */
export async function treeWithPaths(cwd: string, base: string, paths: readonly string[]): Promise<string> {
  return withTempIndex(async (env) => {
    await git(cwd, ['read-tree', base], { env });
    await stageFromWorkTree(cwd, env, paths);
    return (await git(cwd, ['write-tree'], { env })).trim();
  });
}

export async function treeOf(cwd: string, commit: string): Promise<string> {
  return (await git(cwd, ['rev-parse', '--verify', `${commit}^{tree}`])).trim();
}

/** Every file of `treeish` as `ls-tree` lines (`<mode> <type> <object>\t<path>`), keyed by path. */
export async function listTree(cwd: string, treeish: string): Promise<Map<string, string>> {
  const output = await git(cwd, ['ls-tree', '-r', '-z', '--full-tree', treeish]);
  const entries = new Map<string, string>();
  for (const line of output.split('\0')) {
    const tab = line.indexOf('\t');
    if (tab > 0) entries.set(line.slice(tab + 1), line);
  }
  return entries;
}

/** Paths whose content differs between two trees or commits. */
export async function changedBetween(cwd: string, from: string, to: string): Promise<string[]> {
  const output = await git(cwd, ['diff-tree', '-r', '-z', '--name-only', '--no-renames', from, to]);
  return output.split('\0').filter(Boolean);
}

/**
 * Sets the entries of `paths` in the index selected by `env` to their version in `treeish`,
 * removing those it does not have. The work tree is not touched.
 */
export async function setIndexEntries(
  cwd: string,
  env: NodeJS.ProcessEnv,
  treeish: string,
  paths: readonly string[],
): Promise<void> {
  if (paths.length === 0) return;
  const entries = await listTree(cwd, treeish);
  const lines = paths.flatMap((file) => entries.get(file) ?? []);
  const missing = paths.filter((file) => !entries.has(file));
  if (missing.length > 0)
    await git(cwd, ['update-index', '--force-remove', '-z', '--stdin'], { env, input: missing.join('\0') });
  // ls-tree's line format is exactly what --index-info reads.
  if (lines.length > 0) await git(cwd, ['update-index', '-z', '--index-info'], { env, input: `${lines.join('\0')}\0` });
}

/** Who the harness's own objects (rescue and snapshot commits) are by, whatever git config says. */
export const HARNESS_IDENTITY: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'pi-harness',
  GIT_AUTHOR_EMAIL: 'pi-harness@localhost',
  GIT_COMMITTER_NAME: 'pi-harness',
  GIT_COMMITTER_EMAIL: 'pi-harness@localhost',
};

export interface CommitTreeOptions {
  tree: string;
  parents: readonly string[];
  message: string;
  /** Identity variables; the harness identity by default. */
  identity?: NodeJS.ProcessEnv;
}

export async function commitTree(cwd: string, options: CommitTreeOptions): Promise<string> {
  const parents = options.parents.flatMap((parent) => ['-p', parent]);
  const env = { ...process.env, ...(options.identity ?? HARNESS_IDENTITY) };
  // --no-gpg-sign: nobody is there to answer a pinentry prompt overnight.
  const args = ['commit-tree', '--no-gpg-sign', options.tree, ...parents, '-F', '-'];
  return (await git(cwd, args, { env, input: options.message })).trim();
}

export const HARNESS_REF_PREFIX = 'refs/pi-harness/';

/**
 * Points a new ref under refs/pi-harness/ at `commit`. Never moves an existing ref: if the name is
 * taken, `-2`, `-3`, ... is appended. Returns the name used.
 */
export async function createHarnessRef(cwd: string, refName: string, commit: string): Promise<string> {
  if (!refName.startsWith(HARNESS_REF_PREFIX))
    throw new Error(`harness refs live under ${HARNESS_REF_PREFIX}: ${refName}`);
  await git(cwd, ['check-ref-format', refName]);
  const absent = '0'.repeat(commit.length); // "must not exist yet" for update-ref (sha1 or sha256)
  for (let n = 1; n <= 100; n++) {
    const name = n === 1 ? refName : `${refName}-${n}`;
    try {
      await git(cwd, ['update-ref', '-m', 'pi-harness', name, commit, absent]);
      return name;
    } catch (error) {
      const exists = await git(cwd, ['rev-parse', '--verify', '--quiet', name]).then(
        () => true,
        () => false,
      );
      if (!exists) throw error;
    }
  }
  throw new Error(`no free ref name for ${refName}`);
}
