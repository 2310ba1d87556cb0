/**
 * The git worktrees of a parallel run. Each worker has one worktree (its slot) beside the repository
 * (never inside `.git/` nor inside the user's work tree, so neither the agents' nor the user's view
 * of the repository sees another worker's files), moved to a new branch for each iteration. A slot
 * leaves a branch, and is removed, only once that branch's HEAD is reachable from the start branch,
 * a merge record or a rescue ref, and its work tree holds nothing uncommitted: nothing a worker did
 * is lost at cleanup.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../workspace/git.js';
import { createHarnessRef } from '../workspace/tree-builder.js';
import { OneAtATime } from '../util/one-at-a-time.js';

/** Where a repository's worktrees live: a sibling folder `<repo>.pi-worktrees/`. */
export function worktreesRoot(repoRoot: string): string {
  return path.join(path.dirname(repoRoot), `${path.basename(repoRoot)}.pi-worktrees`);
}

/** A worker's slot: the one worktree all its iterations run in (`<root>/<runId>/<workerId>`). */
export function slotDir(repoRoot: string, runId: string, workerId: string): string {
  return path.join(worktreesRoot(repoRoot), runId, workerId);
}

/** The branch a worker's task runs on (`refs/heads/...`). */
export function workerBranch(runId: string, iteration: number): string {
  return `refs/heads/pi-harness/${runId}/${iteration}`;
}

/** The ref that records a worker's commit once its change was merged (squashed and rebased). */
export function mergedRef(runId: string, iteration: number): string {
  return `refs/pi-harness/merged/${runId}/${iteration}`;
}

/**
 * The rescue ref that keeps a worker's commit when its worktree leaves the branch before the commit
 * is merged: for good (a refused merge), or until its merge, still queued then, records it.
 */
export function unmergedRef(runId: string, iteration: number): string {
  return `refs/pi-harness/rescue/${runId}/${iteration}-unmerged`;
}

const short = (ref: string) => ref.replace(/^refs\/heads\//, '');

/**
 * Git's worktree bookkeeping (`.git/worktrees/<name>/`) is not safe against two `worktree add` or
 * `remove` at once in one repository: a second add read a half-written entry of the first
 * ("failed to read .git/worktrees/1/commondir"). The run's workers take turns for these commands.
 */
const worktreeCommands = new OneAtATime();

export interface NewWorktree {
  repoRoot: string;
  dir: string;
  /** `refs/heads/...`, created at `base`; undefined: a detached worktree (the merge queue's). */
  branch?: string;
  base: string;
}

export async function addWorktree(options: NewWorktree): Promise<void> {
  await mkdir(path.dirname(options.dir), { recursive: true });
  const target = options.branch ? ['-b', short(options.branch)] : ['--detach'];
  await worktreeCommands.run(() =>
    git(options.repoRoot, ['worktree', 'add', '--quiet', ...target, options.dir, options.base]),
  );
}

/** The worktrees git knows of, as `dir → HEAD` (from `git worktree list --porcelain -z`). */
export async function listWorktrees(repoRoot: string): Promise<{ dir: string; head: string; branch?: string }[]> {
  const out = await git(repoRoot, ['worktree', 'list', '--porcelain', '-z']);
  const found: { dir: string; head: string; branch?: string }[] = [];
  let current: { dir: string; head: string; branch?: string } | undefined;
  for (const field of out.split('\0')) {
    if (field.startsWith('worktree ')) {
      current = { dir: field.slice('worktree '.length), head: '' };
      found.push(current);
    } else if (current && field.startsWith('HEAD ')) current.head = field.slice(5);
    else if (current && field.startsWith('branch ')) current.branch = field.slice(7);
  }
  return found;
}

/** Refs (among the start branch and the harness's own) that contain `commit`. */
export async function refsContaining(repoRoot: string, commit: string, startBranch: string): Promise<string[]> {
  const out = await git(repoRoot, [
    'for-each-ref',
    '--format=%(refname)',
    `--contains=${commit}`,
    startBranch,
    'refs/pi-harness/merged/',
    'refs/pi-harness/rescue/',
  ]);
  return out.split('\n').filter(Boolean);
}

export interface RemoveOptions {
  repoRoot: string;
  dir: string;
  startBranch: string;
  /** Where the HEAD goes when nothing holds it yet. */
  rescueRef: string;
}

export interface Removed {
  head: string;
  /** The ref that holds the worktree's HEAD: the start branch, a merge record or a rescue ref. */
  keptIn: string;
}

/** The worktree's HEAD and branch, after checking it holds nothing uncommitted. */
async function cleanHead(dir: string): Promise<{ head: string; branch: string }> {
  const dirty = await git(dir, ['status', '--porcelain', '-z', '--untracked-files=all']);
  if (dirty.length > 0) throw new Error(`the worktree ${dir} has uncommitted changes; keep them before leaving it`);
  const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const branch = (await git(dir, ['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim();
  return { head, branch };
}

/** The ref that holds `head`: one that already contains it, else a rescue ref made for it now. */
async function keepHead(options: RemoveOptions, head: string): Promise<string> {
  const held = (await refsContaining(options.repoRoot, head, options.startBranch))[0];
  return held ?? (await createHarnessRef(options.repoRoot, options.rescueRef, head));
}

/**
 * Removes a worktree and its branch, after checking its HEAD is held elsewhere (else a rescue ref
 * is made for it first). Refuses a worktree with uncommitted changes: its worker must rescue them.
 */
export async function removeWorktree(options: RemoveOptions): Promise<Removed> {
  const { repoRoot, dir } = options;
  const { head, branch } = await cleanHead(dir);
  const keptIn = await keepHead(options, head);
  await worktreeCommands.run(() => git(repoRoot, ['worktree', 'remove', '--force', dir]));
  if (branch.startsWith('refs/heads/pi-harness/')) await git(repoRoot, ['branch', '-D', short(branch)]);
  await rm(dir, { recursive: true, force: true });
  return { head, keptIn };
}

export interface MoveOptions extends RemoveOptions {
  /** The branch (`refs/heads/...`) the worktree goes to, created at `base`. */
  branch: string;
  base: string;
  /** Ignored folders the clean leaves (the dependencies copied in: worktree-setup.ts), repository-relative. */
  keepIgnored?: readonly string[];
}

export interface Moved extends Removed {
  /** The branch the worktree left (deleted once its HEAD was kept), if it was on one. */
  from?: string;
}

/**
 * Moves a worktree to a new branch at `base` instead of removing it and adding another: its HEAD is
 * kept first (as for a removal), the branch created and checked out, and only then the branch it left
 * deleted. A kill between the two leaves a worker branch no worktree has checked out, whose commit is
 * already kept: crash recovery deletes it (recovery.ts, removeLeftBranches). Refuses a worktree with
 * uncommitted changes, as a removal does.
 */
export async function moveWorktree(options: MoveOptions): Promise<Moved> {
  const { dir } = options;
  const { head, branch } = await cleanHead(dir);
  const keptIn = await keepHead(options, head);
  await git(dir, ['switch', '--quiet', '--no-guess', '-C', short(options.branch), options.base]);
  // Files git does not track (ignored build output of the last task) go too: the next task starts
  // clean. The installed dependencies stay: copying them again would only cost time.
  const keep = (options.keepIgnored ?? []).flatMap((folder) => ['-e', `/${folder}`]);
  await git(dir, ['clean', '-ffdqx', ...keep]);
  const left = branch.startsWith('refs/heads/pi-harness/') && branch !== options.branch ? branch : undefined;
  if (left) await git(options.repoRoot, ['update-ref', '-d', left, head]);
  return { head, keptIn, ...(left ? { from: left } : {}) };
}
