/**
 * How an iteration ends, once decide() has said how: its visual verdict journaled, its work kept
 * aside when it will not stay (a failure, a veto, a stop, plan-mode leftovers), the user's own
 * uncommitted files checked, the result counted in state, and iteration_end journaled with the
 * notes every view shows.
 */
import path from 'node:path';
import { recordIterationResult } from '../runtime/state.js';
import { errorMessage } from '../util/errors.js';
import { recordedStatusOf, type RecordedStatus } from '../vocabulary/iterations.js';
import { lineageViolation } from '../workspace/lineage.js';
import { reclaimPreDirty, type Rescue } from '../workspace/rescue.js';
import type { EndStep } from './decide.js';
import type { IterationResult } from './iteration.js';
import { readTree, taskRef, type IterationRun } from './iteration-run.js';
import type { Guidance, LoopContext } from './loop-context.js';
import { editStrategyHints, rememberIteration } from './recent-iterations.js';
import { keepIterationWork } from './rescue-step.js';

export interface Ending {
  run: IterationRun;
  end: EndStep;
  guidance: Guidance;
}

const VETOES = new Set(['visual_failed', 'visual_blocked']);

/** Whether the iteration leaves anything to keep aside: changes, commits, or a HEAD moved elsewhere. */
async function needsRescue(run: IterationRun, end: EndStep): Promise<boolean> {
  // A skip by the mock changed nothing; a skip by the operator keeps whatever the iteration did.
  if (end.status === 'succeeded' || (end.status === 'skipped' && end.reason !== 'operator_skip'))
    return run.state.leftover.length > 0;
  const { tree } = run.state;
  const { startCommit, startBranch } = run.start;
  // HEAD moved without a file changing (a reset to an older commit, a new branch): restoring is
  // still due, or the user's branch stays where the agents left it.
  const moved =
    tree.head !== startCommit ||
    (await lineageViolation(run.services.config.repoRoot, startCommit, startBranch, tree)) !== undefined;
  return tree.changes.all.length > 0 || moved;
}

async function keepWork(ctx: LoopContext, ending: Ending, recorded: RecordedStatus): Promise<Rescue | undefined> {
  const { run, end } = ending;
  const vetoed = VETOES.has(end.reason);
  const rescue = await keepIterationWork(ctx, {
    startCommit: run.start.startCommit,
    preDirty: run.start.preDirty,
    iteration: run.start.iteration,
    reason: vetoed
      ? `vetoed by the visual review (${end.reason === 'visual_failed' ? 'FAIL' : 'BLOCKED'})`
      : `${recorded}: ${end.reason}`,
    keepCommits: end.status === 'succeeded',
    startBranch: run.start.startBranch,
    ...(run.start.preDirtySnapshot ? { preDirtySnapshot: run.start.preDirtySnapshot } : {}),
  });
  // A veto's note (below) says where its work went.
  if (rescue && !vetoed)
    run.state.notes.push(`work kept in ${rescue.ref} (patch ${path.relative(ctx.config.repoRoot, rescue.patchFile)})`);
  return rescue;
}

/** A success restores nothing, so the user's uncommitted files are checked here. */
async function checkPreDirty(run: IterationRun): Promise<void> {
  const snapshot = run.start.preDirtySnapshot;
  if (!snapshot) return;
  const check = await reclaimPreDirty(run.services.config.repoRoot, snapshot);
  if (check.reclaimed.length > 0)
    run.state.notes.push(
      `the agents had reverted your uncommitted changes (e.g. git stash); put back: ${check.reclaimed.join(', ')}`,
    );
  if (check.edited.length > 0)
    run.state.notes.push(
      `the agents edited files you had uncommitted changes in: ${check.edited.join(', ')}; ` +
        `your version is in ${snapshot.ref}`,
    );
}

function journalEnd(ctx: LoopContext, ending: Ending, recorded: RecordedStatus, rescued: boolean): void {
  const { run, end } = ending;
  const { state, start } = run;
  const commit = end.status === 'succeeded' ? state.commit : undefined;
  ctx.journal.append({
    type: 'iteration_end',
    iteration: start.iteration,
    task: taskRef(start.task),
    status: end.status,
    reason: end.reason,
    durationMs: Date.now() - start.startedAt,
    usage: state.usage,
    ...(commit ? { commit } : {}),
    recorded,
    changedFiles: state.tree.changes.all,
    notes: state.notes,
    largeFiles: state.largeFiles,
    needsRescue: rescued,
  });
}

/** The visual review's verdict journaled, the work kept aside if due, the review's records settled. */
async function settleWork(ctx: LoopContext, ending: Ending, recorded: RecordedStatus): Promise<boolean> {
  const { run, end } = ending;
  const { state } = run;
  const rescueDue = recorded === 'interrupted' || (await needsRescue(run, end));
  state.visual?.journalVerdict(end.status !== 'succeeded');
  // A vetoed commit is taken back next: from here a crash must not keep it either.
  if (state.commit && end.status !== 'succeeded') await run.services.inProgress.note({ commit: null });
  const kept = rescueDue ? await keepWork(ctx, ending, recorded) : undefined;
  const visualNote = await state.visual?.settle({
    succeeded: end.status === 'succeeded',
    changedFiles: state.tree.changes.all,
    ...(kept ? { kept: { ref: kept.ref, commit: kept.commit, patchFile: kept.patchFile } } : {}),
    ...(state.commit && end.status !== 'succeeded' ? { revertedCommit: state.commit } : {}),
  });
  if (visualNote) state.notes.push(visualNote);
  // A vetoed iteration's work is kept by the veto itself (its note says where).
  return rescueDue && !VETOES.has(end.reason);
}

/** The iteration counted in state (attempts, failures, parking); its notes completed. */
function countResult(ctx: LoopContext, ending: Ending, recorded: RecordedStatus) {
  const { config } = ctx;
  const { state, start } = ending.run;
  const result = recordIterationResult(ending.run.services.inProgress.state, {
    taskId: start.task.id,
    status: recorded,
    reason: ending.end.reason,
    maxTaskAttempts: config.maxTaskAttempts,
  });
  if (result.parkedNow) {
    state.notes.push(`task parked after ${result.task.failures} failed attempts; the run moves on`);
    ctx.journal.append({
      type: 'task_parked',
      taskId: start.task.id,
      cause: 'attempts',
      reason: `${result.task.failures} failed attempts (maxTaskAttempts ${config.maxTaskAttempts})`,
    });
  }
  for (const large of state.largeFiles)
    state.notes.push(
      `large file: ${large.path} has ${large.lines} lines (largeFileWarningLines ${config.largeFileWarningLines})`,
    );
  return result;
}

export async function finishIteration(ctx: LoopContext, ending: Ending): Promise<IterationResult> {
  const { run, end, guidance } = ending;
  const { config } = ctx;
  const { state, start } = run;
  const { guard } = run.services;
  // Before any rescue or restore: refs, stash, config, hooks and ignored files as they were.
  if (await guard.restore('iteration_end')) state.tree = await readTree(run, { fingerprint: false });
  const recorded = recordedStatusOf(end.status, end.reason);
  if (end.reason === 'interrupted') {
    const why = run.services.signal.reason;
    state.notes.push(`interrupted: ${why instanceof Error ? errorMessage(why) : 'stopped by a signal'}`);
  }
  if (end.reason === 'operator_skip') state.notes.push('skipped by the operator (pi-harness skip); the task is parked');
  const rescued = await settleWork(ctx, ending, recorded);
  if (recorded === 'succeeded') await checkPreDirty(run);
  const result = countResult(ctx, ending, recorded);
  // After the notes, so that every view of iteration_end shows them.
  journalEnd(ctx, ending, recorded, rescued);
  guidance.recent = rememberIteration(
    guidance.recent,
    { iteration: start.iteration, taskId: start.task.id, status: recorded, files: state.tree.changes.all },
    config.loopHistoryLimit,
  );
  guidance.loopConstraints = editStrategyHints(guidance.recent, config.sameFileLoopBudget);
  await ctx.store.save(result.state);
  await guard.endIteration();
  return { state: result.state, recorded, reason: end.reason };
}
