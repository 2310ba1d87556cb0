/**
 * The transport's own retry of refused model calls, above pi. pi's agent-level retry ignores the
 * provider's stated wait and never retries quota / usage-window errors, and pi's provider-level
 * retry honours `retry-after` but sleeps invisibly (no event, no record, the watchdog sees
 * silence). So pi's retries are switched off (see writeRetrySettings) and this class decides, per
 * turn: count consecutive failures, read the stated wait, apply the policy, word the give-up.
 * No timers here; the turn runner does the waiting.
 */

import type { RetryWait } from '../types.js';
import type { AssistantInfo } from './events.js';
import { classifyProviderError, isRetryableProviderError, redactSecrets } from './provider-errors.js';
import { formatDuration, planRetry, type RetryPolicy } from './retry-policy.js';
import { parseStatedWait } from './retry-wait.js';

const MESSAGE_EXCERPT_CHARS = 500;
const DETAIL_EXCERPT_CHARS = 300;

export type OuterRetryDecision =
  | { kind: 'not_retryable' }
  | { kind: 'wait'; wait: RetryWait }
  | { kind: 'give_up'; detail: string };

export class OuterRetry {
  private readonly policy: RetryPolicy;
  /** Consecutive failed calls; a successful response resets it (a later blip starts afresh). */
  private consecutive = 0;
  /** Failed calls in the whole turn, for the give-up detail. */
  private failedCalls = 0;
  private lastStatus: number | undefined;
  /** Every wait of the turn (pi's and ours), against maxTotalWaitMs. */
  waitedMs = 0;

  constructor(policy: RetryPolicy) {
    this.policy = policy;
  }

  /** Feed every assistant message (message_end). */
  observe(assistant: AssistantInfo): void {
    if (assistant.stopReason === 'error') {
      const info = classifyProviderError(assistant.errorMessage);
      if (!isRetryableProviderError(info)) return;
      this.consecutive++;
      this.failedCalls++;
      this.lastStatus = info.status;
    } else if (assistant.stopReason !== 'aborted') {
      this.consecutive = 0;
    }
  }

  /** pi slept through a backoff of its own (only when pi's retry is on). */
  noteExternalWait(ms: number): void {
    this.waitedMs += Math.max(0, ms);
  }

  /**
   * The agent settled and `last` is its final response. Decides whether to wait and re-prompt.
   * A `wait` is already counted against the budget: the caller must report it and then sleep.
   */
  decide(last: AssistantInfo | undefined, modelDescription: string, now: number = Date.now()): OuterRetryDecision {
    if (last?.stopReason !== 'error') return { kind: 'not_retryable' };
    const info = classifyProviderError(last.errorMessage);
    if (!isRetryableProviderError(info)) return { kind: 'not_retryable' };
    const message = redactSecrets(last.errorMessage ?? 'unknown error');
    const failures = Math.max(1, this.consecutive);
    const plan = planRetry(this.policy, failures, this.waitedMs, parseStatedWait(last.errorMessage, now));
    if (plan.kind === 'give_up') {
      const status = this.lastStatus !== undefined ? `last HTTP ${this.lastStatus}` : 'last error without HTTP status';
      return {
        kind: 'give_up',
        detail:
          `model ${modelDescription} kept refusing requests: ${this.failedCalls} failed call(s), ${status}, ` +
          `waited ${formatDuration(this.waitedMs)} in total; gave up: ${plan.why}. ` +
          `Last error: ${message.slice(0, DETAIL_EXCERPT_CHARS)}`,
      };
    }
    this.waitedMs += plan.waitMs;
    const wait: RetryWait = {
      attempt: failures,
      waitMs: plan.waitMs,
      message: message.slice(0, MESSAGE_EXCERPT_CHARS),
      by: 'harness',
      kind: info.kind === 'quota' ? 'quota' : 'transient',
      basis: plan.basis,
      startedAt: now,
    };
    if (info.status !== undefined) wait.status = info.status;
    if (plan.stated !== undefined) wait.stated = plan.stated;
    if (plan.requestedMs !== undefined) wait.requestedMs = plan.requestedMs;
    return { kind: 'wait', wait };
  }
}
