import { describe, expect, it } from 'vitest';
import type { AssistantInfo } from '../../src/agent/rpc/events.js';
import { OuterRetry } from '../../src/agent/rpc/outer-retry.js';
import { classifyProviderError, isRetryableProviderError } from '../../src/agent/rpc/provider-errors.js';
import { formatDuration, planRetry, resolveRetryPolicy, type RetryPolicy } from '../../src/agent/rpc/retry-policy.js';
import { durationMs, parseStatedWait } from '../../src/agent/rpc/retry-wait.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

describe('parseStatedWait', () => {
  it.each([
    // header-like forms (gateways echo them; pi's own text never carries headers)
    ['retry-after: 20', 20 * S],
    ['Retry-After: 1', 1 * S],
    ['{"retry_after": 7}', 7 * S],
    ['"retry_after_seconds": 12', 12 * S],
    ['retry-after-ms: 1500', 1500],
    ['{"retry-after-ms":"250"}', 250],
    ['Retry-After: Tue, 24 Nov 2026 12:00:30 GMT', 30 * S],
    // OpenAI
    [
      '429: {"message":"Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29000, Requested 2000. Please try again in 20s."}',
      20 * S,
    ],
    ['Please try again in 1m30s.', 90 * S],
    ['Please try again in 6.5s', 6500],
    ['Please try again in 120ms.', 120],
    ['Please try again in 7m12.96s', 7 * MIN + 12_960],
    ['try again in 2 minutes', 2 * MIN],
    // Anthropic-style wording
    ['Please retry after 30 seconds', 30 * S],
    ['retry after 45', 45 * S],
    // Gemini
    [
      '429: {"error":{"code":429,"message":"Quota exceeded. Please retry in 20.5s.","status":"RESOURCE_EXHAUSTED"}}',
      20_500,
    ],
    ['"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]', 37 * S],
    // usage windows
    ['You have reached your 5-hour limit, resets at 2026-11-24T15:00:00Z', 3 * H],
    ['usage limit reached; resets at 2026-11-24 13:30 UTC', 90 * MIN],
    ['limit resets at 2026-11-24T13:00:00+01:00', 0],
    ['quota resets at 2026-11-24T12:00:02.500Z', 2500],
    ['Your usage limit resets in 2 hours', 2 * H],
    ['resets in 2h 30m', 2.5 * H],
    ['reset after 45 minutes', 45 * MIN],
    ['available again at 14:00 UTC', 2 * H],
    ['try again at 11:00 UTC', 23 * H],
    ['resets at 3:00 pm UTC', 3 * H],
    ['{"resets_at": 1795528800}', 1795528800 * 1000 - NOW],
    ['{"resetAt":"2026-11-24T12:10:00Z"}', 10 * MIN],
    ['"X-RateLimit-Reset":"1795525260000"', 1795525260000 - NOW],
    ['Claude AI usage limit reached|1795532400', 1795532400 * 1000 - NOW],
    // pi's provider-level retry refusing a long header delay
    ['Server requested 120s retry delay (max: 60s). 429 Rate limit', 120 * S],
  ])('%s', (text, ms) => {
    expect(parseStatedWait(text, NOW)?.ms).toBe(ms);
  });

  it('keeps the phrase it read, for the record', () => {
    expect(parseStatedWait('429: {"message":"Slow down. Please try again in 20s."}', NOW)?.stated).toBe(
      'try again in 20s',
    );
  });

  it('prefers the precise header-like value over prose', () => {
    expect(parseStatedWait('retry-after-ms: 1500, retry-after: 2; Please try again in 2s', NOW)?.ms).toBe(1500);
  });

  it('reads a moment already past as 0', () => {
    expect(parseStatedWait('resets at 2026-11-24T11:00:00Z', NOW)?.ms).toBe(0);
  });

  it.each([
    [undefined],
    [''],
    ['429: {"message":"Too many requests","type":"rate_limit_error"}'],
    ['503 Service Unavailable'],
    ['Please try again later.'],
    ['retry-after: soon'],
    ['resets at some point'],
    ['resets at 3pm'], // a local time of an unknown zone is not guessed
    ['try again in a few minutes'],
    ['Limit 30000, Used 29000, Requested 2000'],
    ['Connection error.'],
    ['resets at 2026-13-45T99:99:99Z'],
    ['connection reset 3 times'],
  ])('garbage %s → undefined', (text) => {
    expect(parseStatedWait(text, NOW)).toBeUndefined();
  });
});

describe('durationMs', () => {
  it('sums compound durations and rejects text without one', () => {
    expect(durationMs('1h 2m 3s')).toBe(H + 2 * MIN + 3 * S);
    expect(durationMs('2 hours and 30 minutes')).toBe(2.5 * H);
    expect(durationMs('soon')).toBeUndefined();
  });
});

const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 10 * S, maxTotalWaitMs: MIN };

describe('planRetry', () => {
  it('backs off exponentially without a stated wait, capped per wait', () => {
    expect([1, 2, 3].map((n) => planRetry(POLICY, n, 0))).toEqual([
      { kind: 'wait', waitMs: 1000, basis: 'backoff' },
      { kind: 'wait', waitMs: 2000, basis: 'backoff' },
      { kind: 'wait', waitMs: 4000, basis: 'backoff' },
    ]);
    expect(planRetry({ ...POLICY, maxAttempts: 10 }, 8, 0)).toMatchObject({ waitMs: 10 * S });
  });

  it('uses the stated wait, and caps it at maxDelayMs while saying what was asked', () => {
    expect(planRetry(POLICY, 1, 0, { ms: 3 * S, stated: 'try again in 3s' })).toEqual({
      kind: 'wait',
      waitMs: 3000,
      basis: 'provider',
      stated: 'try again in 3s',
    });
    expect(planRetry(POLICY, 1, 0, { ms: 50 * S, stated: 'retry-after: 50' })).toEqual({
      kind: 'wait',
      waitMs: 10 * S,
      basis: 'provider',
      stated: 'retry-after: 50',
      requestedMs: 50 * S,
    });
  });

  it('falls back to backoff for a stated 0', () => {
    expect(planRetry(POLICY, 2, 0, { ms: 0, stated: 'retry-after: 0' })).toEqual({
      kind: 'wait',
      waitMs: 2000,
      basis: 'backoff',
    });
  });

  it('never waits past the total budget', () => {
    expect(planRetry(POLICY, 3, MIN - 500)).toMatchObject({ kind: 'wait', waitMs: 500 });
    expect(planRetry(POLICY, 3, MIN)).toMatchObject({
      kind: 'give_up',
      why: expect.stringContaining('maxTotalWaitMs'),
    });
  });

  it('gives up at maxAttempts', () => {
    expect(planRetry(POLICY, 4, 0)).toEqual({ kind: 'give_up', why: 'maxAttempts=4 reached' });
    expect(planRetry({ ...POLICY, maxAttempts: 1 }, 1, 0).kind).toBe('give_up');
  });

  it('gives up at once when the stated wait is beyond the remaining budget', () => {
    const plan = planRetry(POLICY, 1, 0, { ms: 3 * H, stated: 'resets in 3 hours' });
    expect(plan.kind).toBe('give_up');
    if (plan.kind === 'give_up') expect(plan.why).toContain('resets in 3 hours');
  });

  it('resolves partial policies and clamps nonsense', () => {
    expect(resolveRetryPolicy({ maxAttempts: 0, baseDelayMs: -5, maxDelayMs: Number.NaN })).toEqual({
      maxAttempts: 1,
      baseDelayMs: 0,
      maxDelayMs: 15 * MIN,
      maxTotalWaitMs: 2 * H,
    });
  });

  it('formats durations for people', () => {
    expect([850, 1234, 61_000, 90 * MIN, 2 * H].map(formatDuration)).toEqual([
      '850ms',
      '1.2s',
      '1m 1s',
      '1h 30m',
      '2h',
    ]);
  });
});

describe('classifyProviderError for retries', () => {
  it.each([
    ['429: {"message":"You exceeded your current quota","code":"insufficient_quota"}', 'quota', 429],
    ['403: {"message":"usage limit reached, resets at 2026-11-24T15:00:00Z"}', 'quota', 403],
    ['403: {"error":{"code":"rate_limit_exceeded"}}', 'transient', 403],
    ['403: {"message":"You do not have access to this model"}', 'auth', 403],
    ['401: {"message":"quota exceeded"}', 'auth', 401],
    ['429: {"message":"Rate limit reached. Please try again in 20s."}', 'transient', 429],
    ['529: {"type":"overloaded_error"}', 'transient', 529],
    ['Request timed out.', 'transient', undefined],
    ['400: {"message":"Unsupported parameter"}', 'other', 400],
  ] as const)('%s → %s', (message, kind, status) => {
    const info = classifyProviderError(message);
    expect(info).toEqual({ kind, status });
    expect(isRetryableProviderError(info)).toBe(kind === 'quota' || kind === 'transient');
  });
});

function failed(errorMessage: string): AssistantInfo {
  return {
    text: '',
    stopReason: 'error',
    errorMessage,
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 },
    toolCalls: [],
  };
}
const ok: AssistantInfo = { ...failed(''), stopReason: 'stop', text: 'fine' };

describe('OuterRetry', () => {
  it('records a stated, capped wait and counts consecutive failures', () => {
    const retry = new OuterRetry(POLICY);
    const msg = '429: {"message":"Please try again in 50s. key sk-abcdefghijklmnopqrstuvwx"}';
    retry.observe(failed(msg));
    const d = retry.decide(failed(msg), 'scripted/m at http://x/v1', NOW);
    expect(d.kind).toBe('wait');
    if (d.kind !== 'wait') return;
    expect(d.wait).toMatchObject({
      attempt: 1,
      status: 429,
      waitMs: 10 * S,
      requestedMs: 50 * S,
      basis: 'provider',
      by: 'harness',
      kind: 'transient',
      startedAt: NOW,
    });
    expect(d.wait.message).not.toContain('abcdefghijklmnop');
    expect(retry.waitedMs).toBe(10 * S);
  });

  it('resets the streak after a success and gives up with model, endpoint, status and total wait', () => {
    const retry = new OuterRetry({ ...POLICY, maxAttempts: 2 });
    const msg = '503: {"message":"upstream down"}';
    retry.observe(failed(msg));
    expect(retry.decide(failed(msg), 'm', NOW).kind).toBe('wait');
    retry.observe(ok);
    retry.observe(failed(msg));
    expect(retry.decide(failed(msg), 'm', NOW).kind).toBe('wait');
    retry.observe(failed(msg));
    const d = retry.decide(failed(msg), 'scripted/m at http://127.0.0.1:9/v1', NOW);
    expect(d.kind).toBe('give_up');
    if (d.kind !== 'give_up') return;
    expect(d.detail).toContain('scripted/m at http://127.0.0.1:9/v1');
    expect(d.detail).toContain('3 failed call(s)');
    expect(d.detail).toContain('last HTTP 503');
    // 1 s (first streak) + 1 s (the streak restarted after the success).
    expect(d.detail).toContain('waited 2s in total');
    expect(d.detail).toContain('maxAttempts=2');
  });

  it('leaves non-retryable endings alone', () => {
    const retry = new OuterRetry(POLICY);
    expect(retry.decide(ok, 'm').kind).toBe('not_retryable');
    expect(retry.decide(failed('400: bad request'), 'm').kind).toBe('not_retryable');
    expect(retry.decide(undefined, 'm').kind).toBe('not_retryable');
  });
});
