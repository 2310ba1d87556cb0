/**
 * One review turn through pi: a fresh session, no tools, the screenshots attached to the prompt
 * (RPC `prompt` with `images`). Going through pi rather than calling the endpoint directly keeps
 * one code path for every provider pi supports (OpenAI-compatible, Anthropic, Google, OAuth
 * logins), for the harness's model map, key handling and provider retries — see
 * docs/visual-review.md.
 */
import type { ThinkingLevel, Transport, TurnResult } from '../agent/types.js';
import { parseVisualAnswer, type VisualAnswer } from './verdict-json.js';

export interface ReviewTurnInput {
  transport: Transport;
  prompt: string;
  images: readonly { mimeType: string; data: string }[];
  model?: string;
  cwd: string;
  thinking?: ThinkingLevel;
  timeoutSeconds: number;
  signal?: AbortSignal;
}

export type ReviewTurnOutcome =
  /** The model answered with a verdict. */
  | { kind: 'answer'; answer: VisualAnswer; raw: string; turn: TurnResult }
  /** No verdict: the turn failed, timed out, or the answer held no verdict JSON. */
  | { kind: 'no_verdict'; reason: string; raw: string; turn: TurnResult }
  /** The caller's signal fired (SIGINT/SIGTERM): no judgement either way. */
  | { kind: 'aborted'; turn: TurnResult };

export async function runReviewTurn(input: ReviewTurnInput): Promise<ReviewTurnOutcome> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), input.timeoutSeconds * 1000);
  const signal = input.signal ? AbortSignal.any([input.signal, timeout.signal]) : timeout.signal;
  let turn: TurnResult;
  try {
    turn = await input.transport.runTurn(
      {
        role: 'visualReview',
        prompt: input.prompt,
        ...(input.model ? { model: input.model } : {}),
        // A reviewer only looks: no tools, so it can neither change the repo nor wander off.
        tools: [],
        ...(input.thinking ? { thinking: input.thinking } : {}),
        session: { kind: 'new' },
        cwd: input.cwd,
        images: input.images,
      },
      signal,
    );
  } finally {
    clearTimeout(timer);
  }
  const raw = turn.finalText;
  if (input.signal?.aborted) return { kind: 'aborted', turn };
  if (timeout.signal.aborted) {
    return {
      kind: 'no_verdict',
      reason: `the review model gave no answer within visualReviewTimeoutSeconds (${input.timeoutSeconds}s)`,
      raw,
      turn,
    };
  }
  if (turn.status !== 'success') {
    return {
      kind: 'no_verdict',
      reason: `the review turn ended ${turn.status} (${turn.terminalReason}${turn.detail ? `: ${turn.detail}` : ''})`,
      raw,
      turn,
    };
  }
  const answer = parseVisualAnswer(raw);
  if (!answer) {
    const why =
      raw.trim() === ''
        ? 'the review model answered nothing'
        : 'the review answer held no JSON object with a PASS, FAIL or BLOCKED verdict';
    return { kind: 'no_verdict', reason: why, raw, turn };
  }
  return { kind: 'answer', answer, raw, turn };
}
