/**
 * After a parallel run died with iterations in flight: each worker's iteration recorded itself in a
 * state file of its own, so each one is recovered like a crashed sequential iteration — what its
 * agents did to refs put back, its uncommitted work kept in a rescue ref, counted as crashed — in
 * its own worktree (a worker's slot, found by the iteration's branch). Then every worktree the run left is removed, its HEAD first kept (merged, or
 * in a rescue ref). Nothing is deleted that was not first kept.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { restoreCrashedIteration } from '../loop/guard/crash-restore.js';
import type { RunGuard } from '../loop/guard/run-guard.js';
import type { Journal } from '../journal/writer.js';
import type { LoopContext } from '../loop/loop-context.js';
import { recoverCrashedIteration } from '../loop/crash-recovery.js';
import { loadState, recordIterationResult, type HarnessState, type InProgressIteration } from '../runtime/state.js';
import { errorMessage } from '../util/errors.js';
import { harnessOwnPaths } from '../runtime/own-paths.js';
import { git } from '../workspace/git.js';
import { workerConfig, workerStateDir, workerStore } from './worker-config.js';
import { rescueWork } from '../workspace/rescue.js';
import { createHarnessRef } from '../workspace/tree-builder.js';
import { listWorktrees, refsContaining, removeWorktree, workerBranch, worktreesRoot } from './worktrees.js';
import { isMergeTreeName } from './merge-trees.js';

const WORKER_BRANCHES = 'refs/heads/pi-harness/';

/**
 * The worktree a crashed iteration ran in: the one with its branch checked out (a worker's slot
 * serves many iterations, each on a branch of its own), or the folder named after the iteration
 * (where runs before slots put it).
 */
async function crashedWorktree(repoRoot: string, crashed: InProgressIteration): Promise<string | undefined> {
  const branch = workerBranch(crashed.runId, crashed.iteration);
  const onBranch = (await listWorktrees(repoRoot)).find((tree) => tree.branch === branch);
  if (onBranch && existsSync(onBranch.dir)) return onBranch.dir;
  const older = path.join(worktreesRoot(repoRoot), crashed.runId, String(crashed.iteration));
  return existsSync(older) ? older : undefined;
}

async function recoverOne(
  ctx: LoopContext,
  guard: RunGuard,
  state: HarnessState,
  crashed: InProgressIteration,
  stateFile: string,
): Promise<HarnessState> {
  const worktree = await crashedWorktree(ctx.config.repoRoot, crashed);
  if (!worktree) {
    ctx.journal.append({
      type: 'warning',
      message: `iteration ${crashed.iteration} of run ${crashed.runId} was in flight, but its worktree is gone`,
    });
    return recordIterationResult(state, {
      taskId: crashed.taskId,
      status: 'crashed',
      reason: 'the harness stopped during the iteration',
      maxTaskAttempts: ctx.config.maxTaskAttempts,
    }).state;
  }
  const config = workerConfig(ctx.config, worktree, stateFile);
  const wctx: LoopContext = { ...ctx, config, store: workerStore(stateFile), harnessPaths: harnessOwnPaths(config) };
  const visible = await restoreCrashedIteration(wctx, guard, crashed);
  return recoverCrashedIteration(wctx, { ...state, inProgress: crashed }, { keepOut: visible });
}

/** Recovers the worker iterations a crashed run left in flight; returns the run's state with them counted. */
export async function recoverWorkers(ctx: LoopContext, guard: RunGuard, state: HarnessState): Promise<HarnessState> {
  const dir = workerStateDir(ctx.home);
  const files = existsSync(dir) ? (await readdir(dir)).filter((name) => name.endsWith('.state.json')) : [];
  let next = state;
  for (const name of files.sort()) {
    const file = path.join(dir, name);
    const loaded = await loadState(file);
    const crashed = loaded.state.inProgress;
    if (crashed && crashed.runId !== ctx.runId) next = await recoverOne(ctx, guard, next, crashed, file);
    await rm(file, { force: true });
  }
  await removeLeftWorktrees(ctx);
  return { ...next, inProgress: null };
}

/**
 * A git command killed with its run leaves the worktree's `index.lock`, and every later command that
 * writes the index (a reset, the removal) fails on it. No git of that run is alive any more (this run
 * holds the repository's lock, and its own workers and merges have ended): the lock is stale.
 */
async function dropStaleIndexLock(dir: string): Promise<void> {
  const gitDir = path.resolve(dir, (await git(dir, ['rev-parse', '--git-dir'])).trim());
  await rm(path.join(gitDir, 'index.lock'), { force: true });
}

/** The worktree back at its HEAD: changes and untracked files gone (ignored ones stay). */
async function resetWorktree(dir: string): Promise<void> {
  await git(dir, ['reset', '--quiet', '--hard']);
  await git(dir, ['clean', '-ffdq']);
}

/**
 * Uncommitted changes no recovered iteration claimed — a kill in the middle of the harness's own
 * checkout into the worktree (`git worktree add`, or a move's `git switch`), whose files are then
 * half updated — kept in a rescue ref before the work tree is reset, so the worktree can go.
 */
async function keepLooseChanges(ctx: LoopContext, dir: string, refName: string): Promise<void> {
  const dirty = await git(dir, ['status', '--porcelain', '-z', '--untracked-files=all']);
  if (dirty.length === 0) return;
  const startCommit = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const name = refName.slice('refs/pi-harness/rescue/'.length).replaceAll('/', '-');
  const rescue = await rescueWork({
    cwd: dir,
    startCommit,
    preDirty: new Set(),
    harnessPaths: [],
    refName,
    patchFile: path.join(ctx.config.piRuntimeDir, 'rescue', `${name}.patch`),
    message: `pi-harness rescue: uncommitted changes in the worktree ${dir}, left by a run that stopped`,
  });
  if (rescue)
    ctx.journal.append({ type: 'warning', message: `uncommitted changes in ${dir} were kept in ${rescue.ref}` });
  await resetWorktree(dir);
}

/** Every worktree of an earlier run, removed once its HEAD is kept; one with loose changes is left and named. */
export async function removeLeftWorktrees(ctx: LoopContext, keep: ReadonlySet<string> = new Set()): Promise<void> {
  const { repoRoot } = ctx.config;
  const root = worktreesRoot(repoRoot);
  const startBranch = (await git(repoRoot, ['symbolic-ref', '-q', 'HEAD']).catch(() => 'HEAD')).trim();
  for (const tree of await listWorktrees(repoRoot)) {
    if (!tree.dir.startsWith(`${root}${path.sep}`) || keep.has(tree.dir)) continue;
    const [runId, name] = path.relative(root, tree.dir).split(path.sep);
    try {
      await dropStaleIndexLock(tree.dir);
      // The merge queue's worktrees hold nothing of anyone's: a half-done replay is dropped, and so
      // are untracked leftovers (the task file's temporary copy of a tick killed before its rename).
      if (isMergeTreeName(name)) await resetWorktree(tree.dir);
      else await keepLooseChanges(ctx, tree.dir, `refs/pi-harness/rescue/${runId}/${name}-loose`);
      const removed = await removeWorktree({
        repoRoot,
        dir: tree.dir,
        startBranch,
        rescueRef: `refs/pi-harness/rescue/${runId}/${name}-worktree`,
      });
      ctx.journal.append({ type: 'worktree_removed', worker: name ?? '?', worktree: tree.dir, ...removed });
    } catch (error) {
      ctx.journal.append({ type: 'warning', message: `the worktree ${tree.dir} was kept: ${errorMessage(error)}` });
    }
  }
  await git(repoRoot, ['worktree', 'prune']).catch(() => undefined);
  await removeLeftBranches(repoRoot, ctx.journal, startBranch);
}

/**
 * Worker branches no worktree has checked out: a kill between removing a worktree and deleting its
 * branch, or a crashed iteration's snapshot putting back a branch the scheduler had deleted since.
 * Each is deleted once its commit is kept (merged, or in a rescue ref made for it).
 */
export async function removeLeftBranches(repoRoot: string, journal: Journal, startBranch: string): Promise<void> {
  const checkedOut = new Set((await listWorktrees(repoRoot)).map((tree) => tree.branch));
  const out = await git(repoRoot, ['for-each-ref', '--format=%(refname)%00%(objectname)', WORKER_BRANCHES]);
  for (const line of out.split('\n').filter(Boolean)) {
    const [ref = '', head = ''] = line.split('\0');
    if (checkedOut.has(ref)) continue;
    const name = ref.slice(WORKER_BRANCHES.length);
    try {
      const keptIn =
        (await refsContaining(repoRoot, head, startBranch))[0] ??
        (await createHarnessRef(repoRoot, `refs/pi-harness/rescue/${name}-branch`, head));
      await git(repoRoot, ['update-ref', '-d', ref, head]);
      journal.append({
        type: 'warning',
        message: `the worker branch ${ref} outlived its worktree: removed, ${head} is in ${keptIn}`,
      });
    } catch (error) {
      journal.append({ type: 'warning', message: `the worker branch ${ref} was kept: ${errorMessage(error)}` });
    }
  }
}
