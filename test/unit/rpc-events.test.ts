import { describe, expect, it } from 'vitest';
import { createMockTransport } from '../../src/agent/mock/mock-transport.js';
import { isAgentActivity, parsePiEvent } from '../../src/agent/rpc/events.js';
import { classifyProviderError, redactSecrets } from '../../src/agent/rpc/provider-errors.js';
import { TurnAccumulator } from '../../src/agent/rpc/turn-accumulator.js';

const usage = (input: number, output: number, cacheRead = 0, total = 0) => ({
  input,
  output,
  cacheRead,
  cacheWrite: 0,
  totalTokens: input + output + cacheRead,
  cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total },
});

const assistantEnd = (text: string, u: ReturnType<typeof usage>, extra: Record<string, unknown> = {}) => ({
  type: 'message_end',
  message: {
    role: 'assistant',
    content: [{ type: 'text', text }],
    usage: u,
    stopReason: 'stop',
    provider: 'p',
    model: 'm',
    ...extra,
  },
});

describe('parsePiEvent', () => {
  it('parses the documented records', () => {
    expect(parsePiEvent({ type: 'response', id: 'a', command: 'prompt', success: false, error: 'no' })).toEqual({
      kind: 'response',
      id: 'a',
      command: 'prompt',
      success: false,
      error: 'no',
      data: undefined,
    });
    expect(parsePiEvent({ type: 'agent_end', messages: [], willRetry: true })).toEqual({
      kind: 'agent_end',
      willRetry: true,
    });
    expect(
      parsePiEvent({ type: 'tool_execution_start', toolCallId: 't', toolName: 'bash', args: { command: 'ls' } }),
    ).toEqual({
      kind: 'tool_execution_start',
      toolCallId: 't',
      toolName: 'bash',
      args: { command: 'ls' },
    });
    expect(
      parsePiEvent({
        type: 'tool_execution_end',
        toolCallId: 't',
        toolName: 'bash',
        isError: true,
        result: { content: [{ type: 'text', text: 'boom' }] },
      }),
    ).toMatchObject({ kind: 'tool_execution_end', isError: true, resultText: 'boom' });
    expect(
      parsePiEvent({
        type: 'auto_retry_start',
        attempt: 1,
        maxAttempts: 3,
        delayMs: 2000,
        errorMessage: '529 overloaded',
      }),
    ).toEqual({
      kind: 'auto_retry_start',
      attempt: 1,
      maxAttempts: 3,
      delayMs: 2000,
      errorMessage: '529 overloaded',
    });
    const end = parsePiEvent(assistantEnd('hi', usage(10, 2, 5, 0.01)));
    expect(end).toMatchObject({
      kind: 'message_end',
      role: 'assistant',
      assistant: { text: 'hi', usage: { input: 10, output: 2, cacheRead: 5, cost: 0.01 } },
    });
  });

  it('tolerates unknown types and missing fields; rejects non-events', () => {
    expect(parsePiEvent({ type: 'brand_new_event', x: 1 })).toEqual({ kind: 'unknown', type: 'brand_new_event' });
    expect(parsePiEvent({ type: 'message_end' })).toEqual({ kind: 'message_end', role: '' });
    expect(parsePiEvent({ type: 'tool_execution_start' })).toMatchObject({ toolName: '', args: {} });
    expect(parsePiEvent([1, 2])).toBeUndefined();
    expect(parsePiEvent({ no: 'type' })).toBeUndefined();
    expect(parsePiEvent('agent_start')).toBeUndefined();
  });

  it('does not count responses to our own commands as agent activity', () => {
    expect(isAgentActivity({ kind: 'response', command: 'steer', success: true })).toBe(false);
    expect(isAgentActivity({ kind: 'queue_update' })).toBe(false);
    expect(isAgentActivity({ kind: 'unknown', type: 'x' })).toBe(true);
    expect(isAgentActivity({ kind: 'message_update' })).toBe(true);
  });
});

describe('TurnAccumulator', () => {
  it('sums usage per assistant message and tracks tools, errors and retries', () => {
    let now = 1000;
    const acc = new TurnAccumulator(() => now);
    const feed = (raw: unknown) => acc.apply(parsePiEvent(raw)!);
    feed({ type: 'agent_start' });
    feed({ type: 'message_end', message: { role: 'user', content: 'do it' } });
    feed(assistantEnd('', usage(100, 10, 0, 0.5)));
    feed({ type: 'tool_execution_start', toolCallId: 'a', toolName: 'edit', args: { path: './x.ts' } });
    expect(acc.toolRunning).toBe(true);
    now = 1250;
    feed({
      type: 'tool_execution_end',
      toolCallId: 'a',
      toolName: 'edit',
      isError: true,
      result: { content: [{ type: 'text', text: 'no match' }] },
    });
    feed({
      type: 'auto_retry_start',
      attempt: 1,
      maxAttempts: 3,
      delayMs: 400,
      errorMessage: '429 Too Many Requests key=sk-abcdefghijklmnopqrstuvwxyz',
    });
    feed(assistantEnd('final answer', usage(50, 5, 20, 0.25)));
    feed({ type: 'agent_end', willRetry: false });
    feed({ type: 'agent_settled' });

    expect(acc.usage).toEqual({ input: 150, output: 15, cacheRead: 20, cacheWrite: 0, cost: 0.75 });
    expect(acc.modelRequests).toBe(2);
    expect(acc.toolCalls).toEqual([
      {
        id: 'a',
        name: 'edit',
        path: 'x.ts',
        args: { path: './x.ts' },
        startedAt: 1000,
        durationMs: 250,
        isError: true,
        error: 'no match',
      },
    ]);
    expect(acc.toolErrors).toBe(1);
    expect(acc.toolRunning).toBe(false);
    expect(acc.retries).toHaveLength(1);
    expect(acc.retries[0]).toMatchObject({ attempt: 1, status: 429, waitMs: 400 });
    expect(acc.retries[0]!.message).not.toContain('abcdefghijklmnop');
    expect(acc.finalText).toBe('final answer');
    expect(acc.settled).toBe(true);
  });

  it('falls back to the last non-empty text when the final message has none', () => {
    const acc = new TurnAccumulator();
    acc.apply(parsePiEvent(assistantEnd('summary so far', usage(1, 1)))!);
    acc.apply(parsePiEvent(assistantEnd('', usage(1, 1)))!);
    expect(acc.finalText).toBe('summary so far');
  });
});

describe('classifyProviderError', () => {
  it.each([
    ['401: {"message":"Incorrect API key provided"}', 'auth', 401],
    ['403 Forbidden', 'auth', 403],
    ['Unauthorized', 'auth', undefined],
    ['429: {"message":"rate limited"}', 'transient', 429],
    ['503 Service Unavailable', 'transient', 503],
    ['fetch failed', 'transient', undefined],
    ['400 context length exceeded', 'other', 400],
    [undefined, 'other', undefined],
  ] as const)('%s → %s', (message, kind, status) => {
    expect(classifyProviderError(message)).toEqual({ kind, status });
  });

  it('redacts bearer tokens and key-looking strings', () => {
    const text = redactSecrets('Authorization: Bearer abcdef123456789 and sk-proj-1234567890abcdef and ?api_key=zzz');
    expect(text).not.toMatch(/abcdef123456789|1234567890abcdef|zzz/);
  });
});

describe('createMockTransport', () => {
  it('succeeds without a model and reports nothing done', async () => {
    const t = createMockTransport();
    const r = await t.runTurn({
      role: 'developer',
      prompt: 'x',
      tools: [],
      session: { kind: 'new' },
      cwd: '/nonexistent',
    });
    expect(r).toMatchObject({
      status: 'success',
      terminalReason: 'completed',
      finalText: '',
      toolCalls: [],
      modelRequests: 0,
    });
    expect(r.usage).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 });
    const again = await t.runTurn({
      role: 'tester',
      prompt: 'y',
      tools: [],
      session: { kind: 'continue', sessionId: r.sessionId! },
      cwd: '/nonexistent',
    });
    expect(again.sessionId).toBe(r.sessionId);
    await t.close();
    await t.close();
  });
});
