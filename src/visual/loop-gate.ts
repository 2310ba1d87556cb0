/**
 * The visual review inside the loop (SPEC §9): after every visualReviewEveryNSuccesses-th
 * successful iteration (and after every success while earlier findings are pending, see
 * schedule.ts), capture and review. A non-PASS vetoes the iteration that was just committed.
 *
 * What a veto does — the rescue path of SPEC §7, exactly as for a failed iteration:
 * - the iteration's commit and any other work since its start commit are kept in a rescue ref
 *   (refs/pi-harness/rescue/<runId>/<iteration>) and a patch file;
 * - the branch goes back to the iteration's start commit (HEAD moves with a compare-and-swap
 *   update-ref, files are restored path by path: files dirty before the run are never touched);
 * - the task's tick was in that commit, so the task is open again and is what the next iteration
 *   works on — with the findings in its developer prompt and the rescue ref named there, so the
 *   work that passed the tester can be reused rather than redone;
 * - the iteration is recorded failed (FAIL) or blocked (BLOCKED): it counts toward maxTaskAttempts
 *   and maxConsecutiveFailures like any failure, so a product that stays broken stops the run.
 * Only the vetoed iteration's own commit is taken back. Earlier iterations in the review window
 * keep theirs: each passed its own tester, and the user may already have them elsewhere; the
 * findings still reach the next developer, who can fix whatever caused them.
 */
import path from 'node:path';
import { addUsage, type Transport, type TurnResult } from '../agent/types.js';
import { journalTurnEnd } from '../journal/turn-events.js';
import type { Journal } from '../journal/writer.js';
import type { IterationSummary } from '../loop/iteration.js';
import { keepIterationWork, type KeepWorkInput, type RescueContext } from '../loop/rescue-step.js';
import type { RecordedStatus } from '../runtime/state.js';
import type { Task } from '../tasks/index.js';
import type { CaptureOutcome } from './capture.js';
import { performVisualReview, saveReview } from './perform.js';
import { readFeedback, type VisualReviewRecord } from './record.js';
import { afterReview, loadSchedule, noteSuccess, reviewDue, saveSchedule, scheduleFile } from './schedule.js';

export interface VisualLoopContext extends RescueContext {
  io: { env: NodeJS.ProcessEnv };
}

/** Where the vetoed iteration started, for the rescue (the same facts the loop's own rescue uses). */
export type VetoRescueInput = Pick<KeepWorkInput, 'startCommit' | 'preDirty' | 'startBranch' | 'preDirtySnapshot'>;

function journalCapture(journal: Journal, iteration: number, outcome: CaptureOutcome): void {
  if (!outcome.result) return;
  const r = outcome.result;
  journal.append({
    type: 'visual_capture',
    iteration,
    command: r.command,
    outcome: r.outcome,
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    screens: outcome.kind === 'captured' ? outcome.screens.length : 0,
    ...(outcome.kind === 'failed'
      ? { problem: outcome.problem, ...(outcome.details.length ? { problems: outcome.details } : {}) }
      : {}),
    ...(outcome.kind === 'failed' ? { outputTail: r.output.split('\n').slice(-20).join('\n') } : {}),
  });
}

function journalReview(journal: Journal, record: VisualReviewRecord, vetoed: boolean): void {
  journal.append({
    type: 'visual_review',
    iteration: record.iteration,
    verdict: record.verdict,
    fromModel: record.fromModel,
    summary: record.summary,
    findings: record.findings,
    images: record.images.map((image) => image.id),
    omittedImages: record.omittedImages,
    ...(record.model ? { model: record.model } : {}),
    ...(record.error ? { error: record.error } : {}),
    vetoed,
    historyFile: record.historyFile,
    feedbackFile: record.feedbackFile,
    durationMs: record.durationMs,
  });
}

function describeFindings(record: VisualReviewRecord): string[] {
  const lines = [...record.findings, ...(record.problems ?? [])];
  return lines
    .slice(0, 8)
    .map((line) => `    - ${line}`)
    .concat(lines.length > 8 ? [`    … ${lines.length - 8} more in ${record.historyFile}`] : []);
}

/**
 * Runs the visual review if one is due after this successful iteration. On a veto it keeps the
 * iteration's work, restores the tree, and rewrites `summary` (status, reason, commit, notes).
 * Returns the status to record instead of `succeeded`, or undefined when the iteration stands.
 */
export async function visualReviewAfterSuccess(
  ctx: VisualLoopContext,
  transport: Transport,
  task: Task,
  summary: IterationSummary,
  rescue: VetoRescueInput,
  signal: AbortSignal,
): Promise<RecordedStatus | undefined> {
  const { config, journal } = ctx;
  if (!config.visualReviewEnabled || summary.status !== 'succeeded' || signal.aborted) return undefined;
  const file = scheduleFile(config);
  const loaded = await loadSchedule(file);
  if (loaded.warning) ctx.say(`  warning: ${loaded.warning}`);
  let schedule = noteSuccess(loaded.schedule, summary.changedFiles);
  const pending = (await readFeedback(config.visualFeedbackFile)) !== undefined;
  if (!reviewDue(schedule, config.visualReviewEveryNSuccesses, pending)) {
    await saveSchedule(file, schedule);
    return undefined;
  }

  const iteration = summary.iteration;
  ctx.say(`  visual review${pending ? ' (re-checking pending visual findings)' : ''}: capturing…`);
  let turn: TurnResult | undefined;
  const outcome = await performVisualReview({
    config,
    transport,
    env: ctx.io.env,
    runId: ctx.runId,
    iteration,
    trigger: 'loop',
    task: task.text,
    phase: task.phase,
    changedFiles: schedule.changedFiles,
    signal,
    hooks: {
      captured: (capture) => journalCapture(journal, iteration, capture),
      reviewStart: (info) => {
        journal.append({
          type: 'turn_start',
          iteration,
          role: 'visualReview',
          step: 'visualReview',
          promptBytes: info.promptBytes,
          ...(info.model ? { model: info.model } : {}),
        });
        ctx.say(`  visual review: ${info.images} image(s) to ${info.model ?? "pi's default model"}…`);
      },
      reviewEnd: (result) => {
        turn = result;
        journalTurnEnd(journal, iteration, result, []);
      },
    },
  });
  if (turn) {
    summary.usage = addUsage(summary.usage, turn.usage);
    summary.turns += 1;
    summary.modelRequests += turn.modelRequests;
  }
  if (outcome.kind === 'aborted') {
    // Stopped mid-review: no judgement either way. The success stays counted, so the next run reviews.
    await saveSchedule(file, schedule);
    ctx.say('  visual review: stopped before a verdict; the iteration stands');
    return undefined;
  }

  const { record } = outcome;
  for (const warning of record.warnings ?? []) ctx.say(`  warning: ${warning}`);
  schedule = afterReview(schedule, { runId: ctx.runId, iteration, verdict: record.verdict, at: record.at });
  const history = path.relative(config.repoRoot, record.historyFile);
  if (record.verdict === 'PASS') {
    journalReview(journal, record, false);
    const { feedbackCleared } = await saveReview(record);
    await saveSchedule(file, schedule);
    ctx.say(
      `  visual review: PASS${record.summary ? ` — ${record.summary}` : ''}${feedbackCleared ? ' (earlier visual findings cleared)' : ''}`,
    );
    summary.notes.push(`visual review PASS (${history})`);
    return undefined;
  }

  // Journaled before the tree changes, like every other event.
  journalReview(journal, record, true);
  ctx.say(`  visual review: ${record.verdict} — ${record.summary || record.error || 'no summary'}`);
  for (const line of describeFindings(record)) ctx.say(line);
  const revertedCommit = summary.commit;
  const kept = await keepIterationWork(ctx, {
    ...rescue,
    iteration,
    reason: `vetoed by visual review ${record.verdict}`,
    keepCommits: false,
  });
  record.veto = {
    ...(kept ? { rescueRef: kept.ref, rescueCommit: kept.commit, patchFile: kept.patchFile } : {}),
    ...(revertedCommit ? { revertedCommit } : {}),
  };
  await saveReview(record);
  await saveSchedule(file, schedule);

  const feedback = path.relative(config.repoRoot, config.visualFeedbackFile);
  const where = kept
    ? `kept in ${kept.ref} (patch ${path.relative(config.repoRoot, kept.patchFile)})`
    : 'nothing to keep';
  const vetoLine = `vetoed by the visual review (${record.verdict}): ${revertedCommit ? `commit ${revertedCommit.slice(0, 10)} was taken back out of the branch and ` : ''}its work is ${where}; the task is open again and the findings (${feedback}) go into the next developer prompt; review record ${history}`;
  ctx.say(`  ${vetoLine}`);
  summary.notes.push(vetoLine);
  summary.status = record.verdict === 'FAIL' ? 'failed' : 'blocked';
  // Credentials do not fix themselves: an auth failure stops the run, as it would in any turn.
  summary.reason =
    turn?.terminalReason === 'provider_auth'
      ? 'provider_auth'
      : record.verdict === 'FAIL'
        ? 'visual_failed'
        : 'visual_blocked';
  delete summary.commit;
  summary.needsRescue = false;
  return summary.status;
}
