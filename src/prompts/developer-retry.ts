/**
 * developerRetry: the developer's last turn fell short (timed out, stalled, or changed nothing) and
 * gets one more. The prompt says why, and what to do differently.
 *
 * Two shapes, chosen by the caller:
 * - `continued: true` — the retry continues the same pi session, whose context already holds the
 *   instructions, the harness rules and the task details. Repeating them would only cost prefill
 *   time, so the prompt is the task named verbatim (text, phase, file, line) as an anchor, any
 *   notes, and the steering paragraph. A small fraction of a full prompt.
 * - `continued: false` (default, always safe) — a fresh session (e.g. the old pi process was
 *   killed by a watchdog): the full developer prompt with the steering section appended last.
 */
import type { RetryReason } from '../vocabulary/iterations.js';
import { buildDeveloperPrompt } from './developer.js';
import { joinSections, notesSection, operatorGuidanceSection, taskSection } from './sections.js';
import type { PromptContext } from './types.js';

export interface DeveloperRetryOptions {
  /** The retry runs in the session of the turn that fell short. Default false. */
  continued?: boolean;
  /** Why; defaults to `ctx.retryReason`. One of the two is required. */
  reason?: RetryReason;
}

/** Why the turn is repeated, and the change of approach that addresses that cause. */
const STEERING: Record<RetryReason, (ctx: PromptContext) => string> = {
  timed_out: () =>
    'Your last turn hit the time limit before it finished. Work in smaller steps: make the smallest change ' +
    'that completes the task, and avoid long or blocking commands (watch modes, servers, interactive ' +
    'prompts). Run the tests once at the end, not repeatedly.',
  stalled: () =>
    'Your last turn stopped making progress: it went silent or repeated the same action. Do not repeat ' +
    'what did not work; try a different approach. Edit the specific lines you need instead of rewriting ' +
    'whole files, and read only the parts of large files you need.',
  no_change: () =>
    'Your last turn ended without changing any file, so the task is not done. Make the change now. If the ' +
    'work is already present, check that it is complete and say so in your last line.',
};

export function retrySteering(ctx: PromptContext, reason: RetryReason): string {
  return ['## Retry', STEERING[reason](ctx)].join('\n');
}

export function buildDeveloperRetryPrompt(ctx: PromptContext, options: DeveloperRetryOptions = {}): string {
  const reason = options.reason ?? ctx.retryReason;
  if (reason === undefined)
    throw new Error('buildDeveloperRetryPrompt: no retry reason (options.reason or ctx.retryReason)');
  if (options.continued !== true)
    return joinSections([buildDeveloperPrompt(ctx).trimEnd(), retrySteering(ctx, reason)]);
  return joinSections([
    taskSection(ctx, 'Task (unchanged)', { details: false }),
    operatorGuidanceSection(ctx),
    notesSection(ctx),
    retrySteering(ctx, reason),
  ]);
}
