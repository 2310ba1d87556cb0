/**
 * The iterations of one run: recovers a crashed iteration, refuses a dirty tree, then picks the
 * first open task that is not parked and runs an iteration on it, until a stop condition — every
 * task done or parked, maxIterations, a budget, the circuit breaker, bad credentials, a signal.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createTransport } from '../agent/create-transport.js';
import type { Transport } from '../agent/types.js';
import { BudgetGuard } from '../runtime/budget.js';
import type { RunLock } from '../runtime/lock.js';
import type { HarnessState, InProgressIteration } from '../runtime/state.js';
import { readFeedback } from '../visual/record.js';
import { AGENT_REFLOG_VARIABLE, agentReflogAction } from '../vocabulary/agent-marker.js';
import type { RunResult } from '../vocabulary/exit-codes.js';
import { userDirtyPaths } from '../workspace/changes.js';
import { refExists } from '../workspace/git.js';
import { preDirtyRefName } from '../workspace/rescue.js';
import { IterationBudgetWatch } from './budget-watch.js';
import { RunIntegrity } from './integrity-run.js';
import { releaseStaleSnapshots, restoreCrashedIteration } from './guard/crash-restore.js';
import { guardedTransport, listenForBlocks } from './guard/guarded-transport.js';
import { RunGuard } from './guard/run-guard.js';
import { afterIteration, pickTask, type Stop } from './iteration-stops.js';
import { runIteration } from './iteration.js';
import type { Guidance, LoopContext } from './loop-context.js';
import { createPromptSource } from './prompt-adapter.js';
import type { PromptSource } from './prompt-source.js';
import { unfinishedIteration } from './crash-journal.js';
import { recoverCrashedIteration } from './crash-recovery.js';
import { warnAboutLargeSpecs } from './spec-warnings.js';
import { TransportReporter } from './transport-reporter.js';
import { turnLaunch } from './steps/agent-turn.js';
import { startedAhead } from '../util/started-ahead.js';

export type RunEnded =
  | { kind: 'ran'; result: RunResult; stop: Stop; iterations: number; succeeded: number }
  | { kind: 'refused'; why: 'dirty_tree' | 'detached_head' };

/** What the iterations of a run share and change. */
interface RunProgress {
  state: HarnessState;
  /** Files the user had dirty before the run (allowDirty). */
  dirty: string[];
  iterations: number;
  succeeded: number;
  /** The last result that was not a success. */
  result: RunResult;
}

/**
 * State as the run finds it: one an earlier version kept in the work tree carried over, a corrupt
 * file set aside (the iteration it had in progress found again in the journal), a crashed
 * iteration recovered. `recoverMore` (a parallel run's crashed workers) runs before the snapshots of
 * earlier runs are released, so that theirs can still be put back.
 */
export async function loadRunState(
  ctx: LoopContext,
  guard: RunGuard,
  recoverMore?: (state: HarnessState) => Promise<HarnessState>,
): Promise<HarnessState> {
  const { journal } = ctx;
  const loaded = await ctx.store.load();
  let state = loaded.state;
  let source: 'state' | 'journal' = 'state';
  if (loaded.kind === 'imported')
    journal.append({ type: 'warning', message: `carried over the state an earlier version kept in ${loaded.from}` });
  if (loaded.kind === 'corrupt') {
    journal.append({
      type: 'warning',
      message: `the state file could not be read (${loaded.reason}); it was moved to ${loaded.movedTo}`,
    });
    const unfinished = unfinishedIteration(ctx.home, ctx.runId);
    if (unfinished) {
      state = { ...state, inProgress: await withPreDirtyRef(ctx, unfinished.record) };
      source = 'journal';
    }
  }
  if (state.inProgress) {
    // What the crashed iteration's agents did to refs, config, hooks and ignored files comes back first.
    const visible = await restoreCrashedIteration(ctx, guard, state.inProgress);
    state = await recoverCrashedIteration(ctx, state, { source, keepOut: visible });
    await guard.unstage(visible);
    await ctx.store.save(state);
  }
  if (recoverMore) {
    state = await recoverMore(state);
    await ctx.store.save(state);
  }
  await releaseStaleSnapshots(guard, ctx.runId);
  return state;
}

/** The pre-dirty snapshot the iteration took, when its ref exists (its name follows from run and iteration). */
async function withPreDirtyRef(ctx: LoopContext, record: InProgressIteration): Promise<InProgressIteration> {
  const ref = preDirtyRefName(record.runId, record.iteration);
  return (await refExists(ctx.config.repoRoot, ref)) ? { ...record, preDirtyRef: ref } : record;
}

/** The user's uncommitted files (when allowed, they are never touched); refused without allowDirty. */
export async function checkDirtyTree(ctx: LoopContext): Promise<{ dirty: string[] } | { refused: RunEnded }> {
  const dirty = await userDirtyPaths(ctx.config.repoRoot, ctx.harnessPaths);
  if (dirty.length === 0 || ctx.config.allowDirty) return { dirty };
  ctx.io.stderr(
    `pi-harness: the working tree has uncommitted changes:\n${dirty.map((f) => `  ${f}`).join('\n')}\n` +
      'commit or stash them, or set allowDirty (they are then never touched or committed).\n',
  );
  return { refused: { kind: 'refused', why: 'dirty_tree' } };
}

interface RunTools {
  lock: RunLock;
  transport: Transport;
  guard: RunGuard;
  budget: IterationBudgetWatch;
  reporter: TransportReporter;
  prompts: PromptSource;
  guidance: Guidance;
  integrity: RunIntegrity;
}

async function setUp(ctx: LoopContext, lock: RunLock, guard: RunGuard): Promise<RunTools> {
  const { config, journal } = ctx;
  const budget = new IterationBudgetWatch(
    new BudgetGuard({
      maxRunSeconds: config.maxRunSeconds,
      maxRunTokens: config.maxRunTokens,
      maxTaskTokens: config.maxTaskTokens,
      maxRunCostUsd: config.maxRunCostUsd,
    }),
  );
  const reporter = new TransportReporter(journal, budget);
  // The agents' git commands carry the run's marker in their reflog messages (crash recovery reads it).
  const agentEnv = { ...ctx.io.env, [AGENT_REFLOG_VARIABLE]: agentReflogAction(ctx.runId) };
  const listener = listenForBlocks(reporter.listener, guard);
  const launch = guard.piLaunch();
  const created = await createTransport(config, ctx.runDir, agentEnv, listener, launch);
  const { warnings } = created;
  const transport = launch ? guardedTransport(created.transport, guard) : created.transport;
  // pi starts now, while the run reads its prompts and the first iteration gets ready (the first
  // iteration's own request to start it then finds it starting): its start is most of the time
  // before the first turn.
  transport.prewarm?.(turnLaunch(config, 'developer'));
  for (const message of warnings) journal.append({ type: 'warning', message });
  const guidance: Guidance = { loopConstraints: [], largeFileWarnings: [], recent: [] };
  await warnAboutLargeSpecs(ctx);
  ctx.control.useTransport(transport);
  const prompts = await createPromptSource({
    config,
    guidance: () => guidance,
    operatorGuidance: (kind) => ctx.control.takeGuidance(kind),
    // Findings of a non-PASS visual review, until a later review passes.
    visualFeedback: () => readFeedback(config.visualFeedbackFile),
  });
  return { lock, transport, guard, budget, reporter, prompts, guidance, integrity: new RunIntegrity() };
}

/** One iteration on the next task, or the reason the run stops before it. */
async function nextIteration(ctx: LoopContext, tools: RunTools, run: RunProgress): Promise<Stop | undefined> {
  // Operator requests between iterations: parks, unparks, and a pause held here until resume or stop.
  run.state = await ctx.control.checkpoint(run.state, ctx.signal, { hold: true });
  const picked = await pickTask(ctx, { state: run.state, budget: tools.budget, iterations: run.iterations });
  if ('stop' in picked) return picked.stop;
  const { task, openAtStart } = picked;
  run.iterations += 1;
  // Written while the iteration reads the tree; the iteration waits for it before it records itself.
  const statusWritten = startedAhead(tools.lock.setStatus(`iteration ${run.iterations}`));
  const iteration = run.state.totalIterations + 1;
  const signal = AbortSignal.any([
    tools.budget.begin(task.id, ctx.signal),
    ctx.control.beginIteration(iteration, task.id),
  ]);
  tools.reporter.iteration = iteration;
  let outcome;
  try {
    outcome = await runIteration(ctx, {
      transport: tools.transport,
      state: run.state,
      task,
      iteration,
      openAtStart,
      prompts: tools.prompts,
      guard: tools.guard,
      preDirtyPaths: ctx.config.allowDirty ? run.dirty : [],
      guidance: tools.guidance,
      signal,
      integrity: tools.integrity,
      statusWritten,
    });
  } finally {
    tools.reporter.iteration = undefined;
    tools.budget.end();
    ctx.control.endIteration();
    // Idle pi processes are ended between iterations except one warm one per model/tools, so an
    // overnight run neither piles up processes nor pays pi's start-up for every turn.
    await tools.transport.releaseSessions?.();
  }
  if (outcome.recorded === 'succeeded') run.succeeded += 1;
  const after = await afterIteration(ctx, {
    outcome,
    exceeded: tools.budget.exceeded,
    task,
    iterations: run.iterations,
  });
  run.state = after.state;
  if (after.result !== 'succeeded') run.result = after.result;
  return after.stop;
}

export async function runIterations(ctx: LoopContext, lock: RunLock): Promise<RunEnded> {
  const guard = await RunGuard.open(ctx);
  try {
    return await iterateGuarded(ctx, lock, guard);
  } finally {
    await guard.close();
  }
}

async function iterateGuarded(ctx: LoopContext, lock: RunLock, guard: RunGuard): Promise<RunEnded> {
  const { config } = ctx;
  const state = await loadRunState(ctx, guard);
  await guard.copyHooks();
  const checked = await checkDirtyTree(ctx);
  if ('refused' in checked) return checked.refused;
  const { dirty } = checked;
  const tools = await setUp(ctx, lock, guard);
  const run: RunProgress = { state, dirty, iterations: 0, succeeded: 0, result: 'succeeded' };
  let stop: Stop | undefined;
  try {
    while (!stop) {
      stop = await nextIteration(ctx, tools, run);
      if (!stop) await pause(config.sleepBetweenSeconds * 1000, ctx.signal);
    }
    // A skip asked for during the last iteration still parks its task.
    run.state = await ctx.control.checkpoint(run.state, ctx.signal, { hold: false });
  } finally {
    await tools.transport.close();
  }
  if (stop.kind === 'signal') run.result = 'interrupted';
  if (stop.kind === 'all_parked') run.result = 'failed';
  return { kind: 'ran', result: run.result, stop, iterations: run.iterations, succeeded: run.succeeded };
}

/** The pause between iterations; a signal ends it at once. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
