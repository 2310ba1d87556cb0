/**
 * The RPC transport against the real pi (installed dependency) and the scripted model server.
 * Each test gets its own git repo, run dir and server; thresholds are small; assertions are about
 * outcomes (status, reason, files, recorded requests, processes), not exact timings.
 */

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RpcTransportOptions } from '../../src/agent/rpc/rpc-transport.js';
import type { TransportEvent } from '../../src/agent/rpc/transport-events.js';
import type { Transport } from '../../src/agent/types.js';
import {
  chatMessages,
  contentText,
  toolResults,
  type ScriptedModelOptions,
  type ScriptedModelServer,
} from '../../src/scripted-model/index.js';
import {
  harnessChildIn,
  daemonAndForegroundScript,
  modelName,
  processesMentioning,
  QUIET_WATCHDOG,
  rpcFixtures,
  turn,
  waitFor,
  type Sandbox,
} from './rpc-helpers.js';

const fixture = rpcFixtures();

interface Setup {
  sandbox: Sandbox;
  server: ScriptedModelServer;
  transport: Transport;
  events: TransportEvent[];
}

async function setup(
  script: ScriptedModelOptions['script'],
  transportOptions: Partial<RpcTransportOptions> = {},
  serverOptions: Partial<ScriptedModelOptions> = {},
  agentKey?: string,
): Promise<Setup> {
  return fixture({
    script,
    server: serverOptions,
    ...(agentKey !== undefined ? { agentKey } : {}),
    transport: {
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
      ...transportOptions,
      watchdog: { ...QUIET_WATCHDOG, ...transportOptions.watchdog },
    },
  });
}

/** Every user-role text pi sent to the model over the whole test. */
function userTexts(server: ScriptedModelServer): string[] {
  return server.completionRequests().flatMap((r) =>
    chatMessages(r)
      .filter((m) => m.role === 'user')
      .map((m) => contentText(m.content)),
  );
}

describe('rpc transport (real pi)', () => {
  it('runs a turn that writes a file and runs a command', async () => {
    const { sandbox, server, transport, events } = await setup([
      { kind: 'tool_calls', calls: [{ name: 'write', arguments: { path: 'hello.txt', content: 'hello from pi\n' } }] },
      { kind: 'tool_calls', calls: [{ name: 'bash', arguments: { command: 'cat hello.txt && echo ran > ran.txt' } }] },
      { kind: 'text', text: 'Wrote hello.txt and ran it.' },
    ]);
    const result = await transport.runTurn(turn(sandbox, server));

    expect(result).toMatchObject({
      status: 'success',
      terminalReason: 'completed',
      finalText: 'Wrote hello.txt and ran it.',
    });
    expect(readFileSync(join(sandbox.repo, 'hello.txt'), 'utf8')).toBe('hello from pi\n');
    expect(readFileSync(join(sandbox.repo, 'ran.txt'), 'utf8')).toBe('ran\n');
    expect(result.toolCalls.map((c) => c.name)).toEqual(['write', 'bash']);
    expect(result.toolCalls[0]).toMatchObject({ path: 'hello.txt', isError: false });
    expect(result.toolErrors).toBe(0);
    expect(result.modelRequests).toBe(3);
    expect(result.model).toBe(modelName(server));
    expect(result.sessionId).toBeTruthy();
    expect(result.sessionFile && existsSync(result.sessionFile)).toBe(true);
    expect(result.sessionFile?.startsWith(sandbox.runDir)).toBe(true);
    // The bash output went back to the model.
    expect(toolResults(server.completionRequests()[2]!).some((t) => t.text.includes('hello from pi'))).toBe(true);
    expect(events.map((e) => e.type)).toEqual([
      'turn_start',
      'usage',
      'tool_start',
      'tool_end',
      'usage',
      'tool_start',
      'tool_end',
      'usage',
      'turn_end',
    ]);

    // A follow-up turn continues the same session in the same pi process.
    const next = await transport.runTurn(
      turn(sandbox, server, { session: { kind: 'continue', sessionId: result.sessionId! }, prompt: 'And now?' }),
    );
    expect(next).toMatchObject({ status: 'success', sessionId: result.sessionId, finalText: 'done' });
    const lastRequest = server.completionRequests().at(-1)!;
    expect(
      chatMessages(lastRequest)
        .filter((m) => m.role === 'user')
        .map((m) => contentText(m.content)),
    ).toEqual(['Do the task.', 'And now?']);
  });

  it('sums usage over every model request of the turn', async () => {
    const { sandbox, server, transport } = await setup([
      {
        kind: 'tool_calls',
        calls: [{ name: 'bash', arguments: { command: 'true' } }],
        usage: { input: 1000, output: 50, cacheRead: 200 },
      },
      {
        kind: 'tool_calls',
        calls: [{ name: 'bash', arguments: { command: 'true' } }],
        usage: { input: 30, output: 7, cacheRead: 1100 },
      },
      { kind: 'text', text: 'ok', usage: { input: 5, output: 3, cacheRead: 1200 } },
    ]);
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result.status).toBe('success');
    const reported = server.completionRequests().map((r) => r.usage!);
    expect(reported).toHaveLength(3);
    const sum = (k: 'input' | 'output' | 'cacheRead'): number => reported.reduce((n, u) => n + u[k], 0);
    expect(result.modelRequests).toBe(3);
    expect(result.usage).toMatchObject({ input: sum('input'), output: sum('output'), cacheRead: sum('cacheRead') });
    expect(result.usage.input).toBe(1035);
  });

  it('cuts a silent model at noEventTimeoutSeconds and leaves no pi process', async () => {
    const { sandbox, server, transport } = await setup([{ kind: 'stall', seconds: 30 }], {
      watchdog: { noEventTimeoutSeconds: 3 },
    });
    const started = Date.now();
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'stalled', terminalReason: 'no_event_timeout' });
    expect(result.detail).toMatch(/no agent activity/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await waitFor(() => processesMentioning(sandbox.runDir).length === 0, 5000)).toBe(true);
  });

  it('sends a soft continue after continueAfterSeconds of silence', async () => {
    const { sandbox, server, transport, events } = await setup(
      [
        { kind: 'stall', seconds: 3, then: { kind: 'text', text: 'thinking done' } },
        { kind: 'text', text: 'finished' },
      ],
      {
        watchdog: { continueAfterSeconds: 1, noEventTimeoutSeconds: 15 },
        softContinueMessage: 'Continue with the task. If you are done, give your final answer.',
      },
    );
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result.status).toBe('success');
    expect(result.softContinues).toBeGreaterThanOrEqual(1);
    expect(events.some((e) => e.type === 'soft_continue')).toBe(true);
    // The nudge reached the model as a user message on the next request.
    expect(userTexts(server).some((t) => t.includes('Continue with the task.'))).toBe(true);
    expect(result.finalText).toBe('finished');
  });

  it('stops a model that streams forever at agentTimeoutSeconds', async () => {
    const { sandbox, server, transport } = await setup([{ kind: 'stream_forever', intervalMs: 100 }], {
      watchdog: { agentTimeoutSeconds: 3, noEventTimeoutSeconds: 2 },
    });
    const result = await transport.runTurn(turn(sandbox, server));
    // Streaming deltas keep the silence clock at zero; only the wall-clock cap can end it.
    expect(result).toMatchObject({ status: 'timed_out', terminalReason: 'agent_timeout' });
    expect(result.durationMs).toBeLessThan(12_000);
    expect(await waitFor(() => processesMentioning(sandbox.runDir).length === 0, 5000)).toBe(true);
  });

  it('detects a tool loop (the same bash call repeated)', async () => {
    const { sandbox, server, transport } = await setup(
      () => ({ kind: 'tool_calls', calls: [{ name: 'bash', arguments: { command: 'ls -la' } }] }),
      { loops: { loopRepeatThreshold: 3, samePathRepeatThreshold: 0 } },
    );
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'stalled', terminalReason: 'tool_loop' });
    expect(result.toolCalls).toHaveLength(3);
    expect(result.detail).toMatch(/bash called 3 times/);
  });

  it('retries 429 twice, records the waits, then succeeds', async () => {
    const { sandbox, server, transport, events } = await setup([
      { kind: 'http_error', status: 429, headers: { 'retry-after': '1' } },
      { kind: 'http_error', status: 429 },
      { kind: 'text', text: 'made it' },
    ]);
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'success', terminalReason: 'completed', finalText: 'made it' });
    expect(result.retries).toHaveLength(2);
    expect(result.retries.map((r) => r.status)).toEqual([429, 429]);
    expect(result.retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(result.retries.every((r) => r.waitMs > 0 && r.waitMs <= 1000)).toBe(true);
    expect(events.filter((e) => e.type === 'retry_wait')).toHaveLength(2);
    expect(server.completionRequests()).toHaveLength(3);
  });

  it('fails fast on 401 with a message naming the model and endpoint, never the key', async () => {
    const secret = `sk-wrong-${randomUUID()}`;
    const { sandbox, server, transport } = await fixture({
      script: [{ kind: 'text', text: 'unreachable' }],
      server: { apiKey: 'the-right-key' },
      agentKey: secret,
      transport: { retry: { maxAttempts: 4, baseDelayMs: 2000, maxDelayMs: 5000 }, watchdog: QUIET_WATCHDOG },
    });
    const started = Date.now();
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'failed', terminalReason: 'provider_auth' });
    expect(result.retries).toEqual([]);
    expect(Date.now() - started).toBeLessThan(8000); // no 2 s+ backoff rounds
    expect(result.detail).toContain(modelName(server));
    expect(result.detail).toContain(server.baseUrl);
    expect(result.detail).toContain('401');
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('passes U+2028 / U+2029 in tool output and model text through intact', async () => {
    const { sandbox, server, transport } = await setup([
      {
        kind: 'tool_calls',
        calls: [{ name: 'bash', arguments: { command: "printf 'left\\342\\200\\250mid\\342\\200\\251right'" } }],
      },
      { kind: 'text', text: ['sep\u2028', 'ara\u2029tors'] },
    ]);
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result.status).toBe('success');
    expect(result.finalText).toBe('sep\u2028ara\u2029tors');
    const results = toolResults(server.completionRequests()[1]!);
    expect(results.some((r) => r.text.includes('left\u2028mid\u2029right'))).toBe(true);
  });

  it('resumes a session from its file after the stalled process was killed', async () => {
    const { sandbox, server, transport } = await setup(
      [
        { kind: 'stall', seconds: 30 },
        { kind: 'text', text: 'back again' },
      ],
      { watchdog: { noEventTimeoutSeconds: 2 } },
    );
    const first = await transport.runTurn(turn(sandbox, server, { prompt: 'First prompt.' }));
    expect(first.terminalReason).toBe('no_event_timeout');
    const second = await transport.runTurn(
      turn(sandbox, server, { prompt: 'Second prompt.', session: { kind: 'continue', sessionId: first.sessionId! } }),
    );
    expect(second).toMatchObject({
      status: 'success',
      finalText: 'back again',
      sessionId: first.sessionId,
      sessionFile: first.sessionFile,
    });
    // The new process carried the saved conversation.
    const users = chatMessages(server.completionRequests().at(-1)!)
      .filter((m) => m.role === 'user')
      .map((m) => contentText(m.content));
    expect(users).toEqual(['First prompt.', 'Second prompt.']);
  });

  it('honours the caller abort signal and kills the process', async () => {
    const { sandbox, server, transport } = await setup([{ kind: 'stall', seconds: 30 }]);
    const controller = new AbortController();
    void server.waitForCompletions(1, 15_000).then(() => controller.abort());
    const result = await transport.runTurn(turn(sandbox, server), controller.signal);
    expect(result).toMatchObject({ status: 'failed', terminalReason: 'aborted' });
    expect(await waitFor(() => processesMentioning(sandbox.runDir).length === 0, 5000)).toBe(true);
  });

  it('reports a pi that cannot start (unknown model) as a failed turn, not a hang', async () => {
    const { sandbox, server, transport } = await setup([{ kind: 'text', text: 'unused' }]);
    const result = await transport.runTurn(turn(sandbox, server, { model: 'nope/not-a-model' }));
    expect(result).toMatchObject({ status: 'failed', terminalReason: 'process_exit' });
    expect(result.detail).toMatch(/nope\/not-a-model/);
    expect(server.completionRequests()).toHaveLength(0);
  });

  it('leaves no pi or tool process behind when the harness is SIGKILLed', async () => {
    const marker = `pi-harness-mark-${randomUUID()}`;
    // One tool process pi knows about (a running foreground command) and one it does not (a
    // daemonised background process that outlives its bash call): both must die with the harness.
    const { sandbox, child, output } = await harnessChildIn(fixture, daemonAndForegroundScript(marker));

    // Both tool calls started: the second (foreground) one is still running under pi.
    const toolStarted = await waitFor(
      () => (output().match(/"tool_start"/g) ?? []).length === 2 && processesMentioning(marker).length >= 2,
      20_000,
    );
    expect(toolStarted, output()).toBe(true);
    expect(processesMentioning(sandbox.runDir).length).toBeGreaterThan(1);

    child.kill('SIGKILL');
    const allGone = await waitFor(
      () => processesMentioning(sandbox.runDir).length === 0 && processesMentioning(marker).length === 0,
      5000,
    );
    expect(allGone, `left behind: ${processesMentioning(sandbox.runDir).join(',')}`).toBe(true);
  });
});
