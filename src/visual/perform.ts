/**
 * One visual review, start to finish, shared by the loop and `visual-once`: capture, check the
 * manifest, send up to visualReviewMaxImages screenshots to the visualReview model, read its
 * verdict. Every way it can go wrong ends in a BLOCKED record that says what went wrong (missing
 * images are named); only the caller's stop signal ends it without a record.
 * Saving the record (history, feedback) is `saveReview`, so the loop can first add what a veto did.
 */
import { readFile } from 'node:fs/promises';
import type { Transport, TurnResult } from '../agent/types.js';
import type { Config } from '../config/load.js';
import { modelForRole } from '../config/role-model.js';
import { capsFromConfig } from '../prompts/types.js';
import { buildVisualReviewPrompt } from '../prompts/visual-review.js';
import { lastLines } from '../verify/tail-buffer.js';
import { runCapture, type CaptureOutcome } from './capture.js';
import {
  clearFeedback,
  historyFileFor,
  readFeedback,
  writeFeedback,
  writeHistory,
  type VisualReviewRecord,
} from './record.js';
import { runReviewTurn } from './review-turn.js';

export interface VisualReviewSetup {
  config: Config;
  transport: Transport;
  /** Environment of the capture command. */
  env: NodeJS.ProcessEnv;
  runId: string;
  iteration: number;
  trigger: VisualReviewRecord['trigger'];
  task: string;
  phase: string | null;
  changedFiles: readonly string[];
  signal?: AbortSignal;
  hooks?: {
    captured?: (outcome: CaptureOutcome) => void;
    reviewStart?: (info: { model?: string; promptBytes: number; images: number }) => void;
    reviewEnd?: (turn: TurnResult) => void;
  };
}

export type VisualReviewOutcome = { kind: 'reviewed'; record: VisualReviewRecord } | { kind: 'aborted' };

/** A vision-less model would get "(image omitted)" from pi and might still say PASS: refuse it. */
export function visionProblem(config: Pick<Config, 'models'>, model: string | undefined): string | undefined {
  if (model === undefined) return undefined;
  const endpoint = config.models[model];
  if (endpoint && endpoint.vision !== true) {
    return (
      `the visualReview model ${model} is not declared vision-capable ` +
      `(set models["${model}"].vision to true if it accepts images)`
    );
  }
  return undefined;
}

function newRecord(setup: VisualReviewSetup, model: string | undefined, started: number): VisualReviewRecord {
  const { config } = setup;
  return {
    runId: setup.runId,
    iteration: setup.iteration,
    trigger: setup.trigger,
    at: new Date(started).toISOString(),
    task: setup.task,
    phase: setup.phase,
    changedFiles: [...setup.changedFiles],
    verdict: 'BLOCKED',
    summary: '',
    findings: [],
    fromModel: false,
    images: [],
    omittedImages: 0,
    ...(model ? { model } : {}),
    rawAnswer: '',
    durationMs: 0,
    historyFile: historyFileFor(config.visualReviewHistoryDir, setup.runId, setup.iteration),
    feedbackFile: config.visualFeedbackFile,
  };
}

/** The capture step: its command's result goes into the record, whatever became of the screenshots. */
async function capture(setup: VisualReviewSetup, record: VisualReviewRecord): Promise<CaptureOutcome> {
  const outcome = await runCapture({
    config: setup.config,
    env: setup.env,
    iteration: setup.iteration,
    task: setup.task,
    phase: setup.phase,
    changedFiles: setup.changedFiles,
    ...(setup.signal ? { signal: setup.signal } : {}),
  });
  setup.hooks?.captured?.(outcome);
  if (outcome.result) {
    const r = outcome.result;
    record.capture = {
      command: r.command,
      outcome: r.outcome,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      outputTail: lastLines(r.output, 40).lines.join('\n'),
    };
  }
  if (outcome.kind === 'captured' && outcome.dirtied.length > 0) {
    record.warnings = [
      `the capture command changed files in the repository (${outcome.dirtied.join(', ')}); left as they are, ` +
        "they count as the next iteration's changes — write capture output under visualCaptureDir instead",
    ];
  }
  return outcome;
}

/** The prompt and images for the review model: at most visualReviewMaxImages screenshots. */
async function reviewRequest(
  setup: VisualReviewSetup,
  record: VisualReviewRecord,
  screens: Extract<CaptureOutcome, { kind: 'captured' }>['screens'],
): Promise<{ prompt: string; images: { mimeType: string; data: string }[] }> {
  const { config } = setup;
  const sent = screens.slice(0, config.visualReviewMaxImages);
  record.omittedImages = screens.length - sent.length;
  record.images = sent.map(({ id, label, path, mimeType, bytes }) => ({ id, label, path, mimeType, bytes }));
  const images = await Promise.all(
    sent.map(async (screen) => ({ mimeType: screen.mimeType, data: (await readFile(screen.file)).toString('base64') })),
  );
  const previousFeedback = await readFeedback(config.visualFeedbackFile);
  const prompt = buildVisualReviewPrompt({
    task: setup.task,
    phase: setup.phase,
    changedFiles: setup.changedFiles,
    screens: sent,
    omittedScreens: record.omittedImages,
    maxImages: config.visualReviewMaxImages,
    ...(previousFeedback ? { previousFeedback } : {}),
    caps: capsFromConfig(config),
  });
  return { prompt, images };
}

export async function performVisualReview(setup: VisualReviewSetup): Promise<VisualReviewOutcome> {
  const { config } = setup;
  const started = Date.now();
  const model = modelForRole(config, 'visualReview');
  const record = newRecord(setup, model, started);
  const blocked = (error: string, problems?: string[]): VisualReviewOutcome => {
    record.error = error;
    record.summary = error;
    if (problems && problems.length > 0) record.problems = problems;
    record.durationMs = Date.now() - started;
    return { kind: 'reviewed', record };
  };

  const noVision = visionProblem(config, model);
  if (noVision) return blocked(noVision);
  const captured = await capture(setup, record);
  if (captured.kind === 'aborted') return { kind: 'aborted' };
  if (captured.kind === 'failed') return blocked(captured.problem, captured.details);

  const { prompt, images } = await reviewRequest(setup, record, captured.screens);
  setup.hooks?.reviewStart?.({
    ...(model ? { model } : {}),
    promptBytes: Buffer.byteLength(prompt),
    images: images.length,
  });
  const outcome = await runReviewTurn({
    transport: setup.transport,
    prompt,
    images,
    ...(model ? { model } : {}),
    cwd: config.repoRoot,
    ...(config.piThinking ? { thinking: config.piThinking } : {}),
    timeoutSeconds: config.visualReviewTimeoutSeconds,
    ...(setup.signal ? { signal: setup.signal } : {}),
  });
  setup.hooks?.reviewEnd?.(outcome.turn);
  record.usage = outcome.turn.usage;
  if (outcome.turn.model) record.model = outcome.turn.model;
  if (outcome.kind === 'aborted') return { kind: 'aborted' };
  record.rawAnswer = outcome.raw;
  if (outcome.kind === 'no_verdict') return blocked(outcome.reason);
  record.verdict = outcome.answer.verdict;
  record.summary = outcome.answer.summary;
  record.findings = outcome.answer.findings;
  record.fromModel = true;
  record.durationMs = Date.now() - started;
  return { kind: 'reviewed', record };
}

/** Writes the history record; a non-PASS writes the feedback file, a PASS clears it. */
export async function saveReview(record: VisualReviewRecord): Promise<{ feedbackCleared: boolean }> {
  await writeHistory(record);
  if (record.verdict === 'PASS') return { feedbackCleared: await clearFeedback(record.feedbackFile) };
  await writeFeedback(record.feedbackFile, record);
  return { feedbackCleared: false };
}
