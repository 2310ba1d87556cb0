/**
 * Provider refusals (429, 5xx, usage windows) against the real pi and the scripted model server:
 * the transport waits what the provider stated (capped), records every wait before sleeping,
 * continues the same session, and gives up with a clear detail. Waits are seconds, not minutes.
 */

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDER_RETRY_MESSAGE, type RpcTransportOptions } from '../../src/agent/rpc/rpc-transport.js';
import type { TransportEvent } from '../../src/agent/rpc/transport-events.js';
import type { RetryWait, Transport } from '../../src/agent/types.js';
import {
  chatMessages,
  contentText,
  toolResults,
  type ScriptedModelOptions,
  type ScriptedModelServer,
} from '../../src/scripted-model/index.js';
import { modelName, processesMentioning, rpcFixtures, turn, waitFor, type Sandbox } from './rpc-helpers.js';

const fixture = rpcFixtures();

interface Setup {
  sandbox: Sandbox;
  server: ScriptedModelServer;
  transport: Transport;
  /** Transport events with the time they were emitted. */
  events: { at: number; event: TransportEvent }[];
}

async function setup(
  script: ScriptedModelOptions['script'],
  options: Partial<RpcTransportOptions> = {},
  apiKey?: string,
): Promise<Setup> {
  const made = await fixture({
    script,
    ...(apiKey !== undefined ? { agentKey: apiKey } : {}),
    transport: {
      ...options,
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5000, ...options.retry },
      watchdog: {
        continueAfterSeconds: 0,
        noEventTimeoutSeconds: 20,
        toolNoEventTimeoutSeconds: 20,
        agentTimeoutSeconds: 25,
        ...options.watchdog,
      },
    },
  });
  return { ...made, events: made.timedEvents };
}

function retryEvents(events: Setup['events']): { at: number; wait: RetryWait }[] {
  return events.flatMap(({ at, event }) => (event.type === 'retry_wait' ? [{ at, wait: event.wait }] : []));
}

function userTexts(server: ScriptedModelServer, completion: number): string[] {
  const request = server.completionRequests()[completion]!;
  return chatMessages(request)
    .filter((m) => m.role === 'user')
    .map((m) => contentText(m.content));
}

/** Time between two completion requests as the server saw them. */
function gapMs(server: ScriptedModelServer, from: number, to: number): number {
  const requests = server.completionRequests();
  return requests[to]!.receivedAt - requests[from]!.receivedAt;
}

describe('rpc transport: provider waits (real pi)', () => {
  it('honours "try again in 1s" mid-turn, records the wait before sleeping, continues the same session', async () => {
    const { sandbox, server, transport, events } = await setup([
      {
        kind: 'tool_calls',
        calls: [{ name: 'write', arguments: { path: 'a.txt', content: 'a\n' } }],
        usage: { input: 100, output: 10 },
      },
      {
        kind: 'http_error',
        status: 429,
        headers: { 'retry-after': '1' },
        message: 'Rate limit reached for requests. Please try again in 1s.',
      },
      { kind: 'text', text: 'all done', usage: { input: 120, output: 5 } },
    ]);
    const result = await transport.runTurn(turn(sandbox, server));

    expect(result).toMatchObject({ status: 'success', terminalReason: 'completed', finalText: 'all done' });
    expect(result.retries).toHaveLength(1);
    const wait = result.retries[0]!;
    expect(wait).toMatchObject({
      attempt: 1,
      status: 429,
      by: 'harness',
      kind: 'transient',
      basis: 'provider',
      stated: 'try again in 1s',
    });
    expect(wait.waitMs).toBeGreaterThanOrEqual(900);
    expect(wait.waitMs).toBeLessThan(5000);
    const gap = gapMs(server, 1, 2);
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(5000);
    // Reported before the sleep, i.e. before the retried request reached the server.
    const reported = retryEvents(events);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.at).toBeLessThan(server.completionRequests()[2]!.receivedAt);
    // Same session; the errored response is not replayed, the tool result is; one nudge to continue.
    expect(userTexts(server, 2)).toEqual(['Do the task.', DEFAULT_PROVIDER_RETRY_MESSAGE]);
    expect(toolResults(server.completionRequests()[2]!)).toHaveLength(1);
    expect(chatMessages(server.completionRequests()[2]!).filter((m) => m.role === 'assistant')).toHaveLength(1);
    // Usage counted once per successful request; the refused one reports none.
    expect(result.usage).toMatchObject({ input: 220, output: 15 });
    expect(result.modelRequests).toBe(3);
  });

  it('falls back to backoff when the wait is only in a header (pi drops headers of failed responses)', async () => {
    const { sandbox, server, transport } = await setup([
      { kind: 'http_error', status: 429, headers: { 'retry-after': '3' }, message: 'Too many requests' },
      { kind: 'text', text: 'ok' },
    ]);
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result.status).toBe('success');
    expect(result.retries).toEqual([expect.objectContaining({ basis: 'backoff', waitMs: 100, status: 429 })]);
  });

  it('waits out a usage window until its stated reset time', async () => {
    const { sandbox, server, transport, events } = await setup((_request, index) =>
      index === 0
        ? {
            kind: 'http_error',
            status: 429,
            type: 'usage_limit_reached',
            message: `You have reached your 5-hour usage limit. It resets at ${new Date(Date.now() + 2000).toISOString()}.`,
          }
        : { kind: 'text', text: 'back after the window' },
    );
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'success', finalText: 'back after the window' });
    expect(result.retries).toHaveLength(1);
    expect(result.retries[0]).toMatchObject({ kind: 'quota', basis: 'provider', status: 429 });
    expect(result.retries[0]!.waitMs).toBeGreaterThan(1500);
    expect(result.retries[0]!.waitMs).toBeLessThanOrEqual(2000);
    expect(gapMs(server, 0, 1)).toBeGreaterThanOrEqual(1500);
    expect(gapMs(server, 0, 1)).toBeLessThan(5000);
    expect(retryEvents(events)).toHaveLength(1);
  });

  it('retries a 403 quota error instead of treating it as a bad key', async () => {
    const { sandbox, server, transport } = await setup([
      {
        kind: 'http_error',
        status: 403,
        code: 'insufficient_quota',
        message: 'Monthly usage limit reached; resets in 1s.',
      },
      { kind: 'text', text: 'ok' },
    ]);
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'success', terminalReason: 'completed' });
    expect(result.retries).toEqual([expect.objectContaining({ status: 403, kind: 'quota', waitMs: 1000 })]);
  });

  it('caps a stated wait of an hour at maxDelayMs', async () => {
    const { sandbox, server, transport } = await setup(
      [
        {
          kind: 'http_error',
          status: 429,
          headers: { 'retry-after': '3600' },
          message: 'Rate limited. Please retry after 3600 seconds.',
        },
        { kind: 'text', text: 'ok' },
      ],
      { retry: { maxDelayMs: 1000 } },
    );
    const started = Date.now();
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result.status).toBe('success');
    expect(result.retries).toEqual([
      expect.objectContaining({ waitMs: 1000, requestedMs: 3_600_000, basis: 'provider' }),
    ]);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('gives up after maxAttempts with model, endpoint, last status and total wait, never the key', async () => {
    const secret = `sk-secret-${randomUUID()}`;
    const { sandbox, server, transport, events } = await setup(
      () => ({ kind: 'http_error', status: 503, message: 'upstream unavailable' }),
      { retry: { maxAttempts: 3, baseDelayMs: 200 } },
      secret,
    );
    const started = Date.now();
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'failed', terminalReason: 'provider_error' });
    expect(Date.now() - started).toBeLessThan(6000);
    expect(server.completionRequests()).toHaveLength(3);
    expect(result.retries.map((r) => r.waitMs)).toEqual([200, 400]);
    expect(retryEvents(events)).toHaveLength(2);
    expect(result.detail).toContain(modelName(server));
    expect(result.detail).toContain(server.baseUrl);
    expect(result.detail).toContain('last HTTP 503');
    expect(result.detail).toContain('waited 600ms in total');
    expect(result.detail).toContain('maxAttempts=3');
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('returns promptly with aborted when the caller aborts during a wait', async () => {
    const { sandbox, server, transport, events } = await setup(
      [{ kind: 'http_error', status: 429, message: 'Please try again in 30s.' }],
      { retry: { maxDelayMs: 60_000 } },
    );
    const controller = new AbortController();
    let abortedAt = 0;
    const running = transport.runTurn(turn(sandbox, server), controller.signal);
    expect(await waitFor(() => retryEvents(events).length === 1, 10_000, 20)).toBe(true);
    abortedAt = Date.now();
    controller.abort();
    const result = await running;
    expect(Date.now() - abortedAt).toBeLessThan(3000);
    expect(result).toMatchObject({ status: 'failed', terminalReason: 'aborted' });
    expect(result.detail).toMatch(/retry wait/);
    expect(result.retries).toEqual([expect.objectContaining({ waitMs: 30_000, basis: 'provider' })]);
    expect(server.completionRequests()).toHaveLength(1);
    expect(await waitFor(() => processesMentioning(sandbox.runDir).length === 0, 5000)).toBe(true);
  });

  it('does not count a wait as silence or as agent time', async () => {
    const { sandbox, server, transport } = await setup(
      [
        { kind: 'http_error', status: 503, message: 'Overloaded. Please try again in 3s.' },
        { kind: 'text', text: 'fine' },
      ],
      { watchdog: { continueAfterSeconds: 1, noEventTimeoutSeconds: 2, agentTimeoutSeconds: 2.5 } },
    );
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'success', finalText: 'fine', softContinues: 0 });
    expect(result.retries).toEqual([expect.objectContaining({ waitMs: 3000 })]);
    expect(result.durationMs).toBeGreaterThanOrEqual(3000);
  });
});
