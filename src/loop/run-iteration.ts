/**
 * One iteration inside a run: records it as in progress before any agent work, runs it, keeps
 * its work when it did not succeed, gives the visual review its turn, journals the end, and
 * counts the result in the persistent state.
 */
import path from 'node:path';
import type { Transport } from '../agent/types.js';
import {
  beginIteration,
  recordIterationResult,
  saveState,
  type HarnessState,
  type RecordedStatus,
} from '../runtime/state.js';
import type { Task } from '../tasks/index.js';
import { headCommit } from '../workspace/git.js';
import { reclaimPreDirty, snapshotPreDirty } from '../workspace/rescue.js';
import { currentBranch } from '../workspace/restore.js';
import { visualReviewAfterSuccess } from '../visual/loop-gate.js';
import { formatIterationSummary } from './console.js';
import { appendHistory, editStrategyHints } from './history.js';
import { runIteration, taskRef, type IterationSummary } from './iteration.js';
import type { Guidance, LoopContext } from './loop-context.js';
import type { PromptSource } from './prompt-source.js';
import { keepIterationWork } from './rescue-step.js';

export async function runOneIteration(
  ctx: LoopContext,
  transport: Transport,
  state: HarnessState,
  task: Task,
  iteration: number,
  prompts: PromptSource,
  preDirtyPaths: string[],
  guidance: Guidance,
  signal: AbortSignal,
): Promise<{ state: HarnessState; summary: IterationSummary; recorded: RecordedStatus }> {
  const { config, journal, runId } = ctx;
  const startCommit = (await headCommit(config.repoRoot))!;
  // Recorded so that an agent switching branches cannot leave the user on the wrong one.
  const startBranch = await currentBranch(config.repoRoot);
  const preDirty = new Set(preDirtyPaths);
  // Under allowDirty the user's uncommitted files are recorded first, so that whatever the agents
  // do to them, the user's exact bytes can be put back.
  const preDirtySnapshot = await snapshotPreDirty({
    cwd: config.repoRoot,
    startCommit,
    preDirty,
    harnessPaths: ctx.harnessPaths,
    refName: `refs/pi-harness/predirty/${runId}/${iteration}`,
  });
  state = beginIteration(state, {
    runId,
    iteration,
    taskId: task.id,
    taskText: task.text,
    startCommit,
    startedAt: new Date().toISOString(),
    startBranch,
    ...(preDirtySnapshot ? { preDirtyRef: preDirtySnapshot.ref } : {}),
  });
  journal.append({ type: 'iteration_start', iteration, task: taskRef(task), startCommit, preDirty: [...preDirty] });
  await saveState(config.stateFile, state);
  ctx.say(`\niteration ${iteration} — ${task.phase ? `${task.phase} / ` : ''}${task.text}`);

  const summary = await runIteration(
    {
      config,
      transport,
      journal,
      prompts,
      iteration,
      signal,
      harnessPaths: ctx.harnessPaths,
      preDirty,
      startCommit,
      startBranch,
      progress: ctx.say,
      childEnv: ctx.io.env,
      onLargeFiles: (warnings) => {
        guidance.largeFileWarnings = warnings;
      },
    },
    task,
  );
  let recorded: RecordedStatus = signal.aborted && summary.status !== 'succeeded' ? 'interrupted' : summary.status;
  if (summary.needsRescue || recorded === 'interrupted') {
    const rescue = await keepIterationWork(ctx, {
      startCommit,
      preDirty,
      iteration,
      reason: `${recorded}: ${summary.reason}`,
      keepCommits: summary.status === 'succeeded',
      startBranch,
      ...(preDirtySnapshot ? { preDirtySnapshot } : {}),
    });
    if (rescue)
      summary.notes.push(`work kept in ${rescue.ref} (patch ${path.relative(config.repoRoot, rescue.patchFile)})`);
  }
  // ── visual review (SPEC §9): when due, may veto this success — keeps its work in a rescue ref,
  // restores the start commit and rewrites `summary` (src/visual/loop-gate.ts) ──
  if (recorded === 'succeeded') {
    recorded =
      (await visualReviewAfterSuccess(
        ctx,
        transport,
        task,
        summary,
        { startCommit, preDirty, startBranch, ...(preDirtySnapshot ? { preDirtySnapshot } : {}) },
        signal,
      )) ?? recorded;
  }
  // ── end visual review ──
  if (recorded === 'succeeded' && preDirtySnapshot) {
    // A success restores nothing, so the user's uncommitted files are checked here (SPEC §7).
    const check = await reclaimPreDirty(config.repoRoot, preDirtySnapshot);
    if (check.reclaimed.length > 0)
      summary.notes.push(
        `the agents had reverted your uncommitted changes (e.g. git stash); put back: ${check.reclaimed.join(', ')}`,
      );
    if (check.edited.length > 0)
      summary.notes.push(
        `the agents edited files you had uncommitted changes in: ${check.edited.join(', ')}; your version is in ${preDirtySnapshot.ref}`,
      );
  }
  const result = recordIterationResult(state, {
    taskId: task.id,
    status: recorded,
    reason: summary.reason,
    maxTaskAttempts: config.maxTaskAttempts,
  });
  if (result.parkedNow)
    summary.notes.push(`task parked after ${result.task.failures} failed attempts; the run moves on`);
  for (const large of summary.largeFiles)
    summary.notes.push(
      `large file: ${large.path} has ${large.lines} lines (largeFileWarningLines ${config.largeFileWarningLines})`,
    );
  // After the notes, so that the last-iteration projection (src/journal/projections) shows them.
  journal.append({
    type: 'iteration_end',
    iteration,
    task: taskRef(task),
    status: summary.status,
    reason: summary.reason,
    durationMs: summary.durationMs,
    usage: summary.usage,
    ...(summary.commit ? { commit: summary.commit } : {}),
    recorded,
    changedFiles: summary.changedFiles,
    notes: summary.notes,
    largeFiles: summary.largeFiles,
    needsRescue: summary.needsRescue,
  });
  guidance.history = appendHistory(
    guidance.history,
    { iteration, taskId: task.id, status: recorded, files: summary.changedFiles },
    config.loopHistoryLimit,
  );
  guidance.loopConstraints = editStrategyHints(guidance.history, config.sameFileLoopBudget);
  await saveState(config.stateFile, result.state);
  ctx.say(formatIterationSummary(summary));
  return { state: result.state, summary, recorded };
}
