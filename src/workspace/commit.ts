/**
 * The harness's own commits: exactly the files it names, nothing else that happens to be staged
 * or dirty. Used for the fallback commit after an agent-mode PASS left a dirty tree and for
 * plan mode. With `hooks` the repository's commit hooks run (from the run-start copy, within a time
 * limit: hooked-commit.ts); without, none does.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { readHeadCommit } from './ancestry.js';
import { git } from './git.js';
import { commitWithHooks, type CommitHooks } from './hooked-commit.js';

const FALLBACK_IDENTITY = ['-c', 'user.name=pi-harness', '-c', 'user.email=pi-harness@localhost'];

/** A repo without an identity would make every commit fail; give git one only in that case. */
export async function identityArgs(cwd: string): Promise<string[]> {
  // One call for both keys; the last value of a key is the one git uses.
  const values = new Map<string, string>();
  try {
    const output = await git(cwd, ['config', '-z', '--get-regexp', '^user\\.(name|email)$']);
    for (const record of output.split('\0')) {
      const newline = record.indexOf('\n');
      if (newline > 0) values.set(record.slice(0, newline), record.slice(newline + 1).trim());
    }
  } catch {
    // `git config` exits 1 when neither key is set
  }
  return values.get('user.name') && values.get('user.email') ? [] : FALLBACK_IDENTITY;
}

async function existsOnDisk(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

export interface CommitResult {
  commit: string;
  files: string[];
}

export interface HarnessCommitArgs {
  /** git's own options, before `commit` (`--literal-pathspecs`, `-c user.name=…`). */
  gitOptions: readonly string[];
  /** What follows `commit`. */
  commitArgs: readonly string[];
}

/**
 * Runs a `git commit` of the harness's: through the repository's hooks when `hooks` is given
 * (throws CommitHookError when they refuse), else with none (hooksPath=/dev/null, --no-verify).
 */
export async function harnessCommit(
  cwd: string,
  args: HarnessCommitArgs,
  hooks: CommitHooks | undefined,
): Promise<void> {
  if (hooks) await commitWithHooks(cwd, [...args.gitOptions, 'commit', ...args.commitArgs], hooks);
  else await git(cwd, [...args.gitOptions, 'commit', '--no-verify', ...args.commitArgs]);
}

/**
 * Stages exactly `files` (additions, modifications and deletions) and commits only them, even if
 * other paths are staged. Throws GitError when git refuses, CommitHookError when the repository's
 * hooks do; returns undefined when there is nothing to commit among `files`.
 */
export async function commitFiles(
  cwd: string,
  files: readonly string[],
  message: string,
  hooks?: CommitHooks,
  /** The identity arguments, when the caller asked already. */
  askedIdentity?: Promise<string[]>,
): Promise<CommitResult | undefined> {
  if (files.length === 0) return undefined;
  // Asked beside the staging below (it never fails: unset keys give the fallback).
  const identity = askedIdentity ?? identityArgs(cwd);
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
  const commitArgs = ['--quiet', '-m', message, '--only', '--', ...staged];
  await harnessCommit(cwd, { gitOptions: [...literal, ...(await identity)], commitArgs }, hooks);
  const { commit } = await readHeadCommit(cwd);
  return { commit, files: staged };
}
