/**
 * The visual review as the loop uses it: a step of the iteration's state machine (the loop's
 * decide() says whether its verdict vetoes; this module only reviews and keeps the records).
 *
 * When: after every visualReviewEveryNSuccesses-th successful iteration, and after every success
 * while earlier findings are pending (schedule.ts). The iteration learns at its start whether a
 * review is due should it commit (`dueIfSuccessful`).
 *
 * What a veto does — the same rescue as any failed iteration, done by the loop:
 * - the iteration's commit and any other work since its start commit are kept in a rescue ref
 *   (refs/pi-harness/rescue/<runId>/<iteration>) and a patch file;
 * - the branch goes back to the iteration's start commit (files dirty before the run untouched);
 * - the task's tick was in that commit, so the task is open again and is what the next iteration
 *   works on — with the findings in its developer prompt and the rescue ref named there (`settle`
 *   writes both into the feedback file), so the work that passed the tester can be reused;
 * - the iteration counts as failed (FAIL) or blocked (BLOCKED) toward maxTaskAttempts and
 *   maxConsecutiveFailures, so a product that stays broken stops the run.
 * Only the vetoed iteration's own commit is taken back. Earlier iterations in the review window
 * keep theirs: each passed its own tester; the findings still reach the next developer.
 */
import path from 'node:path';
import type { Transport, TurnResult } from '../agent/types.js';
import type { Config } from '../config/load.js';
import { journalTurnEnd } from '../journal/turn-events.js';
import type { Journal } from '../journal/writer.js';
import type { VisualVerdict } from '../vocabulary/verdicts.js';
import type { CaptureOutcome } from './capture.js';
import { performVisualReview, saveReview } from './perform.js';
import { readFeedback, type VisualReviewRecord } from './record.js';
import {
  afterReview,
  loadSchedule,
  noteSuccess,
  reviewDue,
  saveSchedule,
  scheduleFile,
  type Schedule,
} from './schedule.js';

export interface LoopReviewContext {
  config: Config;
  journal: Journal;
  runId: string;
  iteration: number;
}

export interface ReviewInput {
  transport: Transport;
  /** Environment of the capture command. */
  env: NodeJS.ProcessEnv;
  task: { text: string; phase: string | null };
  /** What the iteration changed. */
  changedFiles: readonly string[];
  signal: AbortSignal;
}

/** What the review step hands to decide(): no verdict when a signal stopped it first. */
export interface ReviewResult {
  verdict: VisualVerdict | undefined;
  turn: TurnResult | undefined;
}

/** How the iteration ended, for the records: a veto names where the work went. */
export interface ReviewSettlement {
  succeeded: boolean;
  changedFiles: readonly string[];
  kept?: { ref: string; commit: string; patchFile: string };
  revertedCommit?: string;
}

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

export class LoopVisualReview {
  /** A review is due if this iteration succeeds. */
  readonly dueIfSuccessful: boolean;
  private readonly ctx: LoopReviewContext;
  private readonly pendingFeedback: boolean;
  private schedule: Schedule;
  private record: VisualReviewRecord | undefined;
  private reviewed = false;

  private constructor(ctx: LoopReviewContext, schedule: Schedule, pendingFeedback: boolean, due: boolean) {
    this.ctx = ctx;
    this.schedule = schedule;
    this.pendingFeedback = pendingFeedback;
    this.dueIfSuccessful = due;
  }

  /** The schedule as the iteration begins; undefined when visual review is off. */
  static async open(ctx: LoopReviewContext): Promise<LoopVisualReview | undefined> {
    const { config } = ctx;
    if (!config.visualReviewEnabled) return undefined;
    const loaded = await loadSchedule(scheduleFile(config));
    if (loaded.warning) ctx.journal.append({ type: 'warning', iteration: ctx.iteration, message: loaded.warning });
    const pending = (await readFeedback(config.visualFeedbackFile)) !== undefined;
    const due = reviewDue(noteSuccess(loaded.schedule, []), config.visualReviewEveryNSuccesses, pending);
    return new LoopVisualReview(ctx, loaded.schedule, pending, due);
  }

  /** Captures and reviews; the capture and the review turn are journaled as they happen. */
  async review(input: ReviewInput): Promise<ReviewResult> {
    const { config, journal, iteration } = this.ctx;
    this.reviewed = true;
    journal.append({ type: 'visual_start', iteration, pendingFeedback: this.pendingFeedback });
    let turn: TurnResult | undefined;
    const outcome = await performVisualReview({
      config,
      transport: input.transport,
      env: input.env,
      runId: this.ctx.runId,
      iteration,
      trigger: 'loop',
      task: input.task.text,
      phase: input.task.phase,
      changedFiles: noteSuccess(this.schedule, input.changedFiles).changedFiles,
      signal: input.signal,
      hooks: {
        captured: (capture) => journalCapture(journal, iteration, capture),
        reviewStart: (info) =>
          journal.append({
            type: 'turn_start',
            iteration,
            role: 'visualReview',
            step: 'visualReview',
            promptBytes: info.promptBytes,
            ...(info.model ? { model: info.model } : {}),
            images: info.images,
          }),
        reviewEnd: (result) => {
          turn = result;
          journalTurnEnd(journal, iteration, result, []);
        },
      },
    });
    if (outcome.kind === 'aborted') return { verdict: undefined, turn };
    this.record = outcome.record;
    for (const warning of outcome.record.warnings ?? [])
      journal.append({ type: 'warning', iteration, message: warning });
    return { verdict: outcome.record.verdict, turn };
  }

  /**
   * Journals the verdict once the iteration's fate is decided (`vetoed`: the iteration did not
   * succeed after it), before anything is rescued, like every event before the change it describes.
   */
  journalVerdict(vetoed: boolean): void {
    const record = this.record;
    if (!record) return;
    this.ctx.journal.append({
      type: 'visual_review',
      iteration: record.iteration,
      verdict: record.verdict,
      ...(record.problems?.length ? { problems: record.problems } : {}),
      pendingFeedback: this.pendingFeedback,
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

  /**
   * After the iteration ended (and a veto's rescue): counts the success or resets the count, writes
   * the review record and the feedback file. Returns the note the iteration's summary carries.
   */
  async settle(end: ReviewSettlement): Promise<string | undefined> {
    const { config } = this.ctx;
    const file = scheduleFile(config);
    const record = this.record;
    if (!record) {
      // No verdict (none due, or stopped before one): a success stays counted for the next review.
      if (end.succeeded) await saveSchedule(file, noteSuccess(this.schedule, end.changedFiles));
      return this.reviewed ? 'visual review stopped before a verdict; the iteration stands' : undefined;
    }
    this.schedule = afterReview(this.schedule, {
      runId: this.ctx.runId,
      iteration: record.iteration,
      verdict: record.verdict,
      at: record.at,
    });
    const history = path.relative(config.repoRoot, record.historyFile);
    if (end.succeeded) {
      await saveReview(record);
      await saveSchedule(file, this.schedule);
      return `visual review PASS (${history})`;
    }
    record.veto = {
      ...(end.kept ? { rescueRef: end.kept.ref, rescueCommit: end.kept.commit, patchFile: end.kept.patchFile } : {}),
      ...(end.revertedCommit ? { revertedCommit: end.revertedCommit } : {}),
    };
    await saveReview(record);
    await saveSchedule(file, this.schedule);
    return vetoNote(config, record, end);
  }
}

function vetoNote(config: Config, record: VisualReviewRecord, end: ReviewSettlement): string {
  const rel = (file: string) => path.relative(config.repoRoot, file);
  const where = end.kept ? `kept in ${end.kept.ref} (patch ${rel(end.kept.patchFile)})` : 'nothing to keep';
  const taken = end.revertedCommit
    ? `commit ${end.revertedCommit.slice(0, 10)} was taken back out of the branch and `
    : '';
  return (
    `vetoed by the visual review (${record.verdict}): ${taken}its work is ${where}; the task is open again and ` +
    `the findings (${rel(config.visualFeedbackFile)}) go into the next developer prompt; ` +
    `review record ${rel(record.historyFile)}`
  );
}
