/**
 * `run --parallel N`: the run's iterations through the scheduler instead of one at a time. The run
 * around it is the sequential one (lock, journal, views, run_start/run_end: loop/run-loop.ts); this
 * recovers what a crashed run left in flight, checks the work tree, sets up the workers, the merge
 * queue and the run-wide budget, and removes every worktree at the end once its work is kept.
 */
import path from 'node:path';
import type { OwnRef } from '../guardrails/snapshot/index.js';
import { RunGuard } from '../loop/guard/run-guard.js';
import { RunIntegrity } from '../loop/integrity-run.js';
import { checkDirtyTree, loadRunState, type RunEnded } from '../loop/iterate.js';
import type { LoopContext } from '../loop/loop-context.js';
import { useSpawnHost } from '../process/spawn-host.js';
import { BudgetGuard } from '../runtime/budget.js';
import type { RunLock } from '../runtime/lock.js';
import { currentBranch } from '../workspace/restore.js';
import { LocalWorktreeWorker } from './local-worker.js';
import { MergeQueue } from './merge-queue.js';
import { verifyStartTree } from './start-verification.js';
import { recoverWorkers, removeLeftWorktrees } from './recovery.js';
import { Scheduler } from './scheduler.js';
import { worktreesRoot } from './worktrees.js';

/**
 * The refs a parallel run moves while iterations run: no worker's guardrails put them back. The
 * start branch only at the commit the merge queue last moved it to (`mergedTip`): an agent that
 * moves it anywhere else, forward included, is put back.
 */
export function schedulerRefs(
  runId: string,
  startBranch: string,
  mergedTip: string | undefined,
): Record<string, OwnRef> {
  return {
    [`refs/heads/pi-harness/${runId}/`]: 'any',
    [`refs/pi-harness/merged/${runId}/`]: 'any',
    [`refs/pi-harness/rescue/${runId}/`]: 'any',
    [`refs/pi-harness/predirty/${runId}/`]: 'any',
    ...(mergedTip ? { [startBranch]: { commit: mergedTip } } : {}),
  };
}

export async function runParallelIterations(ctx: LoopContext, lock: RunLock): Promise<RunEnded> {
  // Several workers' git calls on one main thread: each is started by the small spawn helper, not
  // forked from the harness (process/spawn-host.ts says why and what it costs).
  useSpawnHost(true);
  try {
    return await runGuarded(ctx, lock);
  } finally {
    useSpawnHost(false);
  }
}

async function runGuarded(ctx: LoopContext, lock: RunLock): Promise<RunEnded> {
  const guard = await RunGuard.open(ctx);
  try {
    const state = await loadRunState(ctx, guard, (loaded) => recoverWorkers(ctx, guard, loaded));
    await guard.copyHooks();
    const checked = await checkDirtyTree(ctx);
    if ('refused' in checked) return checked.refused;
    const startBranch = await currentBranch(ctx.config.repoRoot);
    if (!startBranch) {
      ctx.io.stderr('pi-harness: a parallel run merges onto a branch: check one out (HEAD is detached)\n');
      return { kind: 'refused', why: 'detached_head' };
    }
    try {
      return await schedule(ctx, lock, state, startBranch);
    } finally {
      await removeLeftWorktrees(ctx);
    }
  } finally {
    await guard.close();
  }
}

async function schedule(
  ctx: LoopContext,
  lock: RunLock,
  state: Awaited<ReturnType<typeof loadRunState>>,
  startBranch: string,
): Promise<RunEnded> {
  const { config } = ctx;
  const budget = new BudgetGuard({
    maxRunSeconds: config.maxRunSeconds,
    maxRunTokens: config.maxRunTokens,
    maxTaskTokens: config.maxTaskTokens,
    maxRunCostUsd: config.maxRunCostUsd,
  });
  let scheduler: Scheduler | undefined;
  const integrity = new RunIntegrity();
  const workers = Array.from(
    { length: config.parallel },
    (_, index) =>
      new LocalWorktreeWorker({
        id: `w${index + 1}`,
        ctx,
        startBranch,
        budget,
        integrity,
        ownRefs: () => schedulerRefs(ctx.runId, startBranch, queue.mergedTip),
        exclusive: (work) => queue.holdingTip(work),
        state: () => scheduler?.state ?? state,
      }),
  );
  const queue: MergeQueue = new MergeQueue({
    config,
    journal: ctx.journal,
    runId: ctx.runId,
    startBranch,
    dir: path.join(worktreesRoot(config.repoRoot), ctx.runId, 'merge'),
    // One replay per worker may be on its way: a worker's next success never waits for the tests of
    // the merges queued before it.
    lookahead: config.parallel,
    env: ctx.io.env,
    signal: ctx.signal,
    integrity,
  });
  scheduler = new Scheduler({ ctx, lock, state, workers, queue, budget, startBranch });
  // Awaited by the workers' first iterations (RunIntegrity.startVerification), not here.
  void verifyStartTree(ctx, integrity, state.totalIterations + 1);
  return scheduler.run();
}
