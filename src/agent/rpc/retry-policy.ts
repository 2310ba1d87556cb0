/**
 * How long the transport waits before retrying a model request the provider refused (429, 5xx,
 * usage window / quota), and when it gives up. Pure: the caller supplies the counts and the clock.
 */

import type { StatedWait } from './retry-wait.js';

export interface RetryPolicy {
  /** Model calls per failing request including the first one (1 = never retry). */
  maxAttempts: number;
  /** Backoff when the provider states no wait: baseDelayMs · 2^(n−1) for the n-th consecutive failure. */
  baseDelayMs: number;
  /** Cap for a single wait, stated by the provider or computed. */
  maxDelayMs: number;
  /** Cap for all waits of one turn together. A stated wait beyond what is left ends the turn at once. */
  maxTotalWaitMs: number;
}

/**
 * Ten calls with doubling backoff ride out ~17 minutes of outage (2 s … 8.5 min); usage windows
 * get up to two hours in waits of at most 15 minutes (each wait re-probes the provider once).
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 2000,
  maxDelayMs: 15 * 60_000,
  maxTotalWaitMs: 2 * 3_600_000,
};

export type RetryPlan =
  | {
      kind: 'wait';
      waitMs: number;
      basis: 'provider' | 'backoff';
      /** The provider's stated wait when the cap shortened it. */
      requestedMs?: number;
      stated?: string;
    }
  | { kind: 'give_up'; why: string };

/**
 * @param failures consecutive failed calls so far, including the one just seen (≥ 1)
 * @param waitedMs time already spent waiting in this turn
 */
export function planRetry(policy: RetryPolicy, failures: number, waitedMs: number, stated?: StatedWait): RetryPlan {
  if (failures >= policy.maxAttempts) return { kind: 'give_up', why: `maxAttempts=${policy.maxAttempts} reached` };
  const remaining = policy.maxTotalWaitMs - waitedMs;
  if (remaining <= 0)
    return {
      kind: 'give_up',
      why: `retry wait budget maxTotalWaitMs=${formatDuration(policy.maxTotalWaitMs)} used up`,
    };
  if (stated && stated.ms > remaining) {
    // Waiting out the rest of the budget would only end in the same refusal.
    return {
      kind: 'give_up',
      why:
        `the provider asks to wait ${formatDuration(stated.ms)} ("${stated.stated}"), ` +
        `more than the ${formatDuration(remaining)} left of maxTotalWaitMs`,
    };
  }
  const backoff = policy.baseDelayMs * 2 ** Math.max(0, failures - 1);
  // A stated 0 ("retry-after: 0", a reset moment already past) still gets the backoff, so a
  // skewed clock cannot turn the retries into a tight loop.
  const useStated = stated !== undefined && stated.ms > 0;
  const wanted = useStated ? stated.ms : backoff;
  const waitMs = Math.max(0, Math.min(wanted, policy.maxDelayMs, remaining));
  const plan: RetryPlan = { kind: 'wait', waitMs: Math.round(waitMs), basis: useStated ? 'provider' : 'backoff' };
  if (useStated) {
    plan.stated = stated.stated;
    if (stated.ms > waitMs) plan.requestedMs = stated.ms;
  }
  return plan;
}

/** Fills a partial policy with the defaults and clamps nonsense (negative, NaN) to sane values. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const pick = (value: number | undefined, fallback: number, min: number): number =>
    value !== undefined && Number.isFinite(value) ? Math.max(min, Math.floor(value)) : fallback;
  return {
    maxAttempts: pick(partial.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts, 1),
    baseDelayMs: pick(partial.baseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs, 0),
    maxDelayMs: pick(partial.maxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs, 0),
    maxTotalWaitMs: pick(partial.maxTotalWaitMs, DEFAULT_RETRY_POLICY.maxTotalWaitMs, 0),
  };
}

/** "850ms", "1.2s", "2m 5s", "1h 30m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toString()}s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return s > 0 ? `${m}m ${s}s` : `${m}m`;
}
