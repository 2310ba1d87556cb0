/**
 * Long-session realism against the real pi: context overflow and compaction, small declared
 * context windows, reasoning streams, huge tool output, truncated and empty answers. Each test
 * asks: right status, clear reason, right usage, nothing hangs.
 */

import { describe, expect, it } from 'vitest';
import type { RpcTransportOptions } from '../../src/agent/rpc/rpc-transport.js';
import type { ModelEndpoint } from '../../src/agent/pi-models.js';
import {
  chatMessages,
  contentText,
  type RecordedRequest,
  type ScriptStep,
  type ScriptedModelOptions,
} from '../../src/scripted-model/index.js';
import { modelName, rpcFixtures, turn } from './rpc-helpers.js';

const fixture = rpcFixtures();

const WATCHDOG = {
  continueAfterSeconds: 0,
  toolContinueAfterSeconds: 0,
  noEventTimeoutSeconds: 20,
  toolNoEventTimeoutSeconds: 20,
  agentTimeoutSeconds: 60,
};

function setup(
  script: ScriptedModelOptions['script'],
  model: Partial<ModelEndpoint> = {},
  transport: Partial<RpcTransportOptions> = {},
) {
  return fixture({
    script,
    model,
    transport: {
      retry: { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 500 },
      ...transport,
      watchdog: { ...WATCHDOG, ...transport.watchdog },
    },
  });
}

/** The scripted server's token estimate of a request (its default usage.input). */
const tokensOf = (r: RecordedRequest): number => Math.ceil(r.bodyBytes / 4);
const isSummaryRequest = (r: RecordedRequest): boolean =>
  chatMessages(r).some(
    (m) => m.role === 'system' && contentText(m.content).includes('context summarization assistant'),
  );

function overflow(limit: number, tokens: number): ScriptStep {
  return {
    kind: 'http_error',
    status: 400,
    message: `This model's maximum context length is ${limit} tokens. However, your messages resulted in ${tokens} tokens.`,
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
  };
}

/**
 * A model with a hard context limit: refuses requests above `limit` tokens like OpenAI does,
 * answers pi's summarization requests, otherwise runs `steps` bash calls printing `bytes` each.
 */
function limitedModel(
  limit: number,
  steps: number,
  bytes: number,
  summary: ScriptStep = { kind: 'text', text: 'SUMMARY: ran the steps.' },
) {
  let work = 0;
  return (r: RecordedRequest): ScriptStep => {
    if (tokensOf(r) > limit) return overflow(limit, tokensOf(r));
    if (isSummaryRequest(r)) return summary;
    work++;
    if (work > steps) return { kind: 'text', text: `finished after ${work - 1} steps` };
    return {
      kind: 'tool_calls',
      calls: [{ name: 'bash', arguments: { command: `head -c ${bytes} /dev/zero | tr '\\0' 'a'; echo step${work}` } }],
    };
  };
}

/** Usage the server reported, summed over every completion (errors report none). */
function reportedInput(requests: RecordedRequest[]): number {
  return requests.reduce((n, r) => n + (r.usage?.input ?? 0), 0);
}

describe('rpc transport realism (real pi)', () => {
  it('names the context window when the endpoint refuses an overflowing request pi cannot compact', async () => {
    let n = 0;
    const { sandbox, server, transport } = await setup(() => {
      n++;
      if (n <= 2) return { kind: 'tool_calls', calls: [{ name: 'bash', arguments: { command: `echo ${n}` } }] };
      return overflow(8192, 9000);
    });
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'failed', terminalReason: 'agent_error' });
    expect(result.detail).toMatch(/context window exceeded/);
    expect(result.detail).toContain(modelName(server));
    expect(result.detail).toContain('contextWindow 128000');
    expect(result.detail).toContain('maximum context length is 8192');
    expect(result.modelRequests).toBe(3);
  });

  it('a small declared contextWindow makes pi compact on its own; the turn settles and summaries count as usage', async () => {
    const { sandbox, server, transport, events } = await setup(limitedModel(4096, 12, 1500), {
      contextWindow: 4096,
      maxTokens: 1024,
    });
    const result = await transport.runTurn(turn(sandbox, server));
    const requests = server.completionRequests();
    expect(requests.filter(isSummaryRequest).length).toBeGreaterThan(0);
    expect(result).toMatchObject({
      status: 'success',
      terminalReason: 'completed',
      finalText: 'finished after 12 steps',
    });
    // Every request the model answered was paid for, summaries included.
    expect(result.modelRequests).toBe(requests.length);
    expect(result.usage.input).toBe(reportedInput(requests));
    expect(events.filter((e) => e.type === 'usage')).toHaveLength(requests.length);
  });

  it('recovers from an overflow error by compacting and retrying', async () => {
    // pi believes in 8192 tokens (threshold compaction at 8192 − 2048); the server refuses above
    // 5000, so pi only learns about the limit from the 400.
    const { sandbox, server, transport } = await setup(limitedModel(5000, 14, 1500), {
      contextWindow: 8192,
      maxTokens: 1024,
    });
    const result = await transport.runTurn(turn(sandbox, server));
    const requests = server.completionRequests();
    expect(requests.some((r) => tokensOf(r) > 5000)).toBe(true);
    expect(requests.filter(isSummaryRequest).length).toBeGreaterThan(0);
    expect(result).toMatchObject({
      status: 'success',
      terminalReason: 'completed',
      finalText: 'finished after 14 steps',
    });
    expect(result.usage.input).toBe(reportedInput(requests));
  });

  it('a slow summarization is not a stall (compaction counts like a running tool)', async () => {
    const slowSummary: ScriptStep = { kind: 'stall', seconds: 4, then: { kind: 'text', text: 'SUMMARY: slow.' } };
    const { sandbox, server, transport } = await setup(
      limitedModel(4096, 6, 1500, slowSummary),
      { contextWindow: 4096, maxTokens: 1024 },
      {
        watchdog: { noEventTimeoutSeconds: 3, toolNoEventTimeoutSeconds: 20 },
      },
    );
    const result = await transport.runTurn(turn(sandbox, server));
    expect(server.completionRequests().filter(isSummaryRequest).length).toBeGreaterThan(0);
    expect(result).toMatchObject({ status: 'success', terminalReason: 'completed' });
  }, 60_000);

  it('streams of reasoning deltas keep a thinking model alive', async () => {
    const thinking = Array.from({ length: 6 }, (_, i) => `thought ${i} `);
    const { sandbox, server, transport } = await setup(
      [{ kind: 'text', reasoning: thinking, text: ['', 'the answer'], chunkDelayMs: 1000 }],
      {},
      {
        watchdog: { noEventTimeoutSeconds: 3 },
      },
    );
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'success', terminalReason: 'completed', finalText: 'the answer' });
    expect(result.durationMs).toBeGreaterThan(5000);
  }, 30_000);

  it('a tool output of several MB keeps framing intact and the turn ok', async () => {
    const { sandbox, server, transport } = await setup([
      {
        kind: 'tool_calls',
        calls: [{ name: 'bash', arguments: { command: 'yes | head -c 5000000; echo; echo END-MARK' } }],
      },
      { kind: 'text', text: 'saw it' },
    ]);
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'success', finalText: 'saw it', toolErrors: 0 });
    // pi truncates what the model sees; the tail (with the marker) is kept.
    const last = server.completionRequests().at(-1)!;
    expect(last.bodyBytes).toBeLessThan(200_000);
    expect(JSON.stringify(last.body)).toContain('END-MARK');
  }, 30_000);

  it('finish_reason length on every answer ends the turn, saying the output was truncated', async () => {
    const { sandbox, server, transport } = await setup(() => ({
      kind: 'text',
      text: 'partial answer that got cut',
      finishReason: 'length',
    }));
    const result = await transport.runTurn(turn(sandbox, server));
    expect(['success', 'failed']).toContain(result.status);
    expect(result.detail ?? '').toMatch(/max(imum)? ?tokens|truncat/i);
    expect(server.completionRequests().length).toBeLessThanOrEqual(4);
  });

  it('empty answers without tool calls end the turn promptly', async () => {
    const { sandbox, server, transport } = await setup(() => ({ kind: 'text', text: '' }));
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'success', terminalReason: 'completed', finalText: '' });
    expect(server.completionRequests()).toHaveLength(1);
  });
});
