/**
 * The harness's own commits: exactly the files it names, nothing else that happens to be staged
 * or dirty. Used for the fallback commit after an agent-mode PASS left a dirty tree and for
 * plan mode.
 */
import { access, constants, lstat } from 'node:fs/promises';
import path from 'node:path';
import { git, gitPath } from './git.js';

const FALLBACK_IDENTITY = ['-c', 'user.name=pi-harness', '-c', 'user.email=pi-harness@localhost'];

/** A repo without an identity would make every commit fail; give git one only in that case. */
export async function identityArgs(cwd: string): Promise<string[]> {
  try {
    const name = (await git(cwd, ['config', 'user.name'])).trim();
    const email = (await git(cwd, ['config', 'user.email'])).trim();
    if (name && email) return [];
  } catch {
    // `git config` exits 1 when the key is unset
  }
  return FALLBACK_IDENTITY;
}

async function existsOnDisk(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The repository's commit hooks that the harness's own commits skip (they run with --no-verify:
 * nobody is there to answer a hook overnight, and a slow hook would hit git's time limit). Named
 * in the iteration's notes so the user knows which commits their hooks never saw.
 */
export async function skippedCommitHooks(cwd: string): Promise<string[]> {
  const skipped: string[] = [];
  for (const hook of ['pre-commit', 'commit-msg']) {
    try {
      // --git-path honours core.hooksPath.
      await access(await gitPath(cwd, `hooks/${hook}`), constants.X_OK);
      skipped.push(hook);
    } catch {
      // no such hook, or not executable: git would not run it either
    }
  }
  return skipped;
}

export interface CommitResult {
  commit: string;
  files: string[];
}

/**
 * Stages exactly `files` (additions, modifications and deletions) and commits only them, even if
 * other paths are staged. Throws GitError when git refuses; returns undefined when there is
 * nothing to commit among `files`.
 */
export async function commitFiles(
  cwd: string,
  files: readonly string[],
  message: string,
): Promise<CommitResult | undefined> {
  if (files.length === 0) return undefined;
  // --literal-pathspecs: a file named "*.ts" or ":(top)x" is a file name, not a pattern.
  const literal = ['--literal-pathspecs'];
  // `git add` refuses a path that is neither on disk nor in the index: a deletion an agent already
  // staged. Such a path needs no adding; it is still committed below.
  const inIndex = new Set((await git(cwd, [...literal, 'ls-files', '-z', '--cached', '--', ...files])).split('\0'));
  const addable: string[] = [];
  for (const file of files) {
    if (inIndex.has(file) || (await existsOnDisk(path.join(cwd, file)))) addable.push(file);
  }
  if (addable.length > 0) await git(cwd, [...literal, 'add', '-A', '--', ...addable]);
  const staged = (await git(cwd, [...literal, 'diff', '--cached', '--name-only', '-z', '--', ...files]))
    .split('\0')
    .filter(Boolean);
  if (staged.length === 0) return undefined;
  const identity = await identityArgs(cwd);
  await git(cwd, [
    ...literal,
    ...identity,
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    message,
    '--only',
    '--',
    ...staged,
  ]);
  const commit = (await git(cwd, ['rev-parse', 'HEAD'])).trim();
  return { commit, files: staged };
}
