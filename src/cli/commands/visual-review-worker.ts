/**
 * `pi-harness visual-review-worker`: the review step alone, for other tools (docs/visual-review.md). Reads one
 * request on stdin — `{images:[{path|data, mimeType}], task, phase, changedFiles, model?}` — sends
 * the images to the visualReview model (or `model`) through pi, and writes the verdict JSON to
 * stdout. It touches nothing in the repo: no capture, no feedback file, no history, no lock.
 *
 * Exit codes: 0 the model gave a verdict (PASS, FAIL or BLOCKED — read `verdict`); 1 the harness
 * had to answer BLOCKED itself (an image missing or not an image, a model without vision, no
 * answer, an unparseable answer) — stdout still carries the JSON, with `error`; 2 the request or
 * the configuration is invalid (stderr says what); 130 stopped by a signal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTransport } from '../../agent/create-transport.js';
import { emptyUsage, type TokenUsage } from '../../vocabulary/turns.js';
import type { Config } from '../../config/load.js';
import { modelForRole } from '../../config/role-model.js';
import { capsFromConfig } from '../../prompts/types.js';
import { buildVisualReviewPrompt } from '../../prompts/visual-review.js';
import { visionProblem } from '../../visual/perform.js';
import { runReviewTurn } from '../../visual/review-turn.js';
import type { VisualVerdict } from '../../vocabulary/verdicts.js';
import { loadWorkerImages, parseWorkerRequest, type LoadedImage, type WorkerRequest } from '../../visual/worker.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { readAllStdin, withStopSignal } from './visual-common.js';

export interface WorkerAnswer {
  verdict: VisualVerdict;
  summary: string;
  findings: string[];
  /** false: the harness answered BLOCKED itself, `error` says why. */
  fromModel: boolean;
  error?: string;
  problems?: string[];
  model?: string;
  images: string[];
  omittedImages: number;
  rawAnswer: string;
  usage: TokenUsage;
  durationMs: number;
}

async function review(
  config: Config,
  io: CliIo,
  request: WorkerRequest,
  images: LoadedImage[],
  model: string | undefined,
  signal: AbortSignal,
) {
  const sent = images.slice(0, config.visualReviewMaxImages);
  const prompt = buildVisualReviewPrompt({
    task: request.task,
    phase: request.phase,
    changedFiles: request.changedFiles,
    screens: sent,
    omittedScreens: images.length - sent.length,
    maxImages: config.visualReviewMaxImages,
    caps: capsFromConfig(config),
  });
  // A throwaway run dir: pi's private agent dir and session files, removed afterwards.
  const runDir = await mkdtemp(path.join(tmpdir(), 'pi-harness-visual-worker-'));
  try {
    const { transport, warnings } = await createTransport(config, runDir, io.env);
    for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
    try {
      const outcome = await runReviewTurn({
        transport,
        prompt,
        images: sent,
        ...(model ? { model } : {}),
        cwd: io.cwd,
        ...(config.piThinking ? { thinking: config.piThinking } : {}),
        timeoutSeconds: config.visualReviewTimeoutSeconds,
        signal,
      });
      return { outcome, sent };
    } finally {
      await transport.close();
    }
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}

export async function visualReviewWorkerCommand(config: Config, io: CliIo): Promise<ExitCode> {
  const parsed = parseWorkerRequest(await readAllStdin(io));
  if (!parsed.ok) {
    io.stderr(
      `pi-harness visual-review-worker: invalid request:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return EXIT.usage;
  }
  const { request } = parsed;
  const started = Date.now();
  const model = request.model ?? modelForRole(config, 'visualReview');
  const answer: WorkerAnswer = {
    verdict: 'BLOCKED',
    summary: '',
    findings: [],
    fromModel: false,
    ...(model ? { model } : {}),
    images: [],
    omittedImages: 0,
    rawAnswer: '',
    usage: emptyUsage(),
    durationMs: 0,
  };
  const finish = (code: ExitCode): ExitCode => {
    answer.durationMs = Date.now() - started;
    io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
    return code;
  };
  const blocked = (error: string, problems: string[] = []): ExitCode => {
    Object.assign(answer, { error, summary: error }, problems.length > 0 ? { problems } : {});
    io.stderr(`pi-harness visual-review-worker: ${error}${problems.map((p) => `\n  - ${p}`).join('')}\n`);
    return finish(EXIT.iterationFailed);
  };

  const loaded = await loadWorkerImages(request, io.cwd);
  if (loaded.problems.length > 0) return blocked('some images cannot be used', loaded.problems);
  const noVision = visionProblem(config, model);
  if (noVision) return blocked(noVision);

  const { outcome, sent } = await withStopSignal(io, 'visual-review-worker', (signal) =>
    review(config, io, request, loaded.images, model, signal),
  );
  answer.images = sent.map((image) => image.id);
  answer.omittedImages = loaded.images.length - sent.length;
  answer.usage = outcome.turn.usage;
  if (outcome.turn.model) answer.model = outcome.turn.model;
  if (outcome.kind === 'aborted') return EXIT.interrupted;
  answer.rawAnswer = outcome.raw;
  if (outcome.kind === 'no_verdict') return blocked(outcome.reason);
  Object.assign(answer, outcome.answer, { fromModel: true });
  return finish(EXIT.ok);
}
