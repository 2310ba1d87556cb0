/**
 * One iteration of a run, start to finish: recorded as in progress before any agent work, its
 * steps run (steps/run-steps.ts), its work kept aside when it did not succeed, its end journaled,
 * and its result counted in the persistent state.
 */
import type { Transport } from '../agent/types.js';
import { beginIteration as recordStart, type HarnessState } from '../runtime/state.js';
import type { Task } from '../tasks/index.js';
import { LoopVisualReview } from '../visual/loop-review.js';
import type { EndReason, RecordedStatus } from '../vocabulary/iterations.js';
import { toRepoRelative } from '../workspace/changes.js';
import { preDirtyRefName, snapshotPreDirty, type PreDirtySnapshot } from '../workspace/rescue.js';
import { currentBranch } from '../workspace/restore.js';
import { readTreeState } from '../workspace/tree-state.js';
import type { DecisionLimits } from './decide.js';
import { readStartTestFiles, recordIterationBaseline, type RunIntegrity } from './integrity-run.js';
import type { RunGuard } from './guard/run-guard.js';
import { InProgressRecord } from './in-progress.js';
import { finishIteration } from './iteration-end.js';
import { initialState, taskRef, type IterationRun } from './iteration-run.js';
import type { Guidance, LoopContext } from './loop-context.js';
import type { PromptSource } from './prompt-source.js';
import { runSteps } from './steps/run-steps.js';
import { turnLaunch } from './steps/agent-turn.js';

export interface IterationInput {
  transport: Transport;
  /** The persistent state as the iteration begins. */
  state: HarnessState;
  task: Task;
  iteration: number;
  /** Ids of the tasks open in the task file as read for this iteration. */
  openAtStart: ReadonlySet<string>;
  prompts: PromptSource;
  guard: RunGuard;
  /** Files the user had dirty before the run (allowDirty). */
  preDirtyPaths: readonly string[];
  guidance: Guidance;
  /** The run's signal joined with the iteration's budget. */
  signal: AbortSignal;
  integrity: RunIntegrity;
  /**
   * The run lock's status naming this iteration, being written: the iteration waits for it before
   * it records itself (a run that lost its lock stops there).
   */
  statusWritten?: Promise<void>;
}

export interface IterationResult {
  state: HarnessState;
  recorded: RecordedStatus;
  reason: EndReason;
}

interface StartPoint {
  startCommit: string;
  startBranch: string | null;
  preDirty: ReadonlySet<string>;
  preDirtySnapshot: PreDirtySnapshot | undefined;
}

/** The iteration recorded as in progress, in the journal and the state, before any agent works. */
async function recordInProgress(ctx: LoopContext, input: IterationInput, start: StartPoint): Promise<HarnessState> {
  const { iteration, task } = input;
  const { startCommit, startBranch, preDirtySnapshot } = start;
  const state = recordStart(input.state, {
    runId: ctx.runId,
    iteration,
    taskId: task.id,
    taskText: task.text,
    startCommit,
    startedAt: new Date().toISOString(),
    startBranch,
    head: startCommit,
    ...(preDirtySnapshot ? { preDirtyRef: preDirtySnapshot.ref } : {}),
  });
  ctx.journal.append({
    type: 'iteration_start',
    iteration,
    task: taskRef(task),
    startCommit,
    preDirty: [...start.preDirty],
    startBranch,
  });
  await ctx.store.save(state);
  return state;
}

/** Reads where the iteration starts, records it as in progress, and sets up its run. */
async function begin(ctx: LoopContext, input: IterationInput): Promise<IterationRun> {
  const { config, journal, runId } = ctx;
  const { iteration, task } = input;
  // pi gets ready while the iteration does (the tree read, the snapshot, the integrity baseline):
  // started, or an idle one moved on to a new session, the developer's turn finds it ready.
  input.transport.prewarm?.(turnLaunch(config, 'developer'));
  const preDirty = new Set(input.preDirtyPaths);
  const filter = { preDirty, harnessPaths: ctx.harnessPaths };
  const notProduct = [toRepoRelative(config.repoRoot, config.taskFile)];
  // The guardrail snapshot is taken while the tree is read and the start recorded. Not beside the
  // pre-dirty snapshot below: the ref that one makes must be among the refs the guardrails keep.
  let snapshot = preDirty.size === 0 ? input.guard.takeSnapshot(iteration) : undefined;
  const tree = await readTreeState({ repoRoot: config.repoRoot, startCommit: undefined, filter, notProduct });
  const startCommit = tree.head!;
  // Recorded so that an agent switching branches cannot leave the user on the wrong one.
  const startBranch = tree.branch ?? (await currentBranch(config.repoRoot));
  // Under allowDirty the user's uncommitted files are recorded first, so that whatever the agents
  // do to them, the user's exact bytes can be put back.
  const preDirtySnapshot = await snapshotPreDirty({
    cwd: config.repoRoot,
    startCommit,
    preDirty,
    harnessPaths: ctx.harnessPaths,
    refName: preDirtyRefName(runId, iteration),
  });
  snapshot ??= input.guard.takeSnapshot(iteration);
  await input.statusWritten;
  const state = await recordInProgress(ctx, input, { startCommit, startBranch, preDirty, preDirtySnapshot });
  // Read while the snapshot is taken: a commit's files never change.
  const testFiles = config.integrity === 'off' ? undefined : readStartTestFiles(config, startCommit);
  // The state names the iteration by now: a crash from here on finds the snapshot through it.
  await input.guard.beginIteration({ iteration, startCommit, startBranch, preDirty }, snapshot);
  const visual = await LoopVisualReview.open({ config, journal, runId, iteration });
  const run: IterationRun = {
    services: {
      config,
      journal,
      runId,
      transport: input.transport,
      prompts: input.prompts,
      guard: input.guard,
      signal: input.signal,
      childEnv: ctx.io.env,
      guidance: input.guidance,
      inProgress: new InProgressRecord(ctx.store, state),
      integrity: input.integrity,
    },
    start: {
      iteration,
      task,
      startCommit,
      startBranch,
      preDirty,
      ...(preDirtySnapshot ? { preDirtySnapshot } : {}),
      openAtStart: input.openAtStart,
      filter,
      notProduct,
      startedAt: Date.now(),
    },
    state: initialState(tree, visual),
  };
  const baseline = await recordIterationBaseline(run, testFiles);
  if (baseline) run.start.baseline = baseline;
  return run;
}

function limitsFor(run: IterationRun): DecisionLimits {
  const { config } = run.services;
  return {
    idleRetryLimit: config.idleRetryLimit,
    noChangeRetryLimit: config.noChangeRetryLimit,
    verificationFixLimit: 1,
    commitHookFixLimit: 1,
    mockTransport: config.transport === 'mock',
    visualReviewDue: run.state.visual?.dueIfSuccessful ?? false,
    integrity: config.integrity,
  };
}

export async function runIteration(ctx: LoopContext, input: IterationInput): Promise<IterationResult> {
  const run = await begin(ctx, input);
  const end = await runSteps(run, limitsFor(run));
  return finishIteration(ctx, { run, end, guidance: input.guidance });
}
