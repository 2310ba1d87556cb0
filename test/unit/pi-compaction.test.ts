import { describe, expect, it } from 'vitest';
import { compactionOverrideFor, withCompactionOverrides } from '../../src/agent/pi-compaction.js';
import { TurnAccumulator } from '../../src/agent/rpc/turn-accumulator.js';
import { parsePiEvent } from '../../src/agent/rpc/events.js';
import { isContextOverflowError } from '../../src/agent/rpc/context-limits.js';

describe('compaction settings for small context windows', () => {
  it('scales pi defaults down to the window and leaves big windows alone', () => {
    expect(compactionOverrideFor(4096, 1024)).toEqual({ reserveTokens: 1024, keepRecentTokens: 1024 });
    expect(compactionOverrideFor(8192, 4096)).toEqual({ reserveTokens: 4096, keepRecentTokens: 2048 });
    expect(compactionOverrideFor(32768, 4096)).toEqual({ reserveTokens: 8192, keepRecentTokens: 8192 });
    expect(compactionOverrideFor(200000, 8192)).toBeUndefined();
    expect(compactionOverrideFor(undefined, 1024)).toBeUndefined();
  });

  it("keeps the user's own per-model override", () => {
    const settings = withCompactionOverrides(
      { compaction: { enabled: true, modelOverrides: { 'a/b': { keepRecentTokens: 500 } } } },
      { 'a/b': { contextWindow: 4096 }, 'c/d': { contextWindow: 8192 }, 'e/f': {} },
    );
    expect(settings).toEqual({
      compaction: {
        enabled: true,
        modelOverrides: {
          'a/b': { reserveTokens: 1024, keepRecentTokens: 500 },
          'c/d': { reserveTokens: 2048, keepRecentTokens: 2048 },
        },
      },
    });
  });
});

describe('compaction events', () => {
  it('counts the summary call as a model request and tracks the compacting phase', () => {
    const acc = new TurnAccumulator();
    acc.apply(parsePiEvent({ type: 'compaction_start', reason: 'threshold' })!);
    expect(acc.compacting).toBe(true);
    const usage = { input: 1123, output: 5, cacheRead: 0, cacheWrite: 0, totalTokens: 1128, cost: { total: 0 } };
    const change = acc.apply(
      parsePiEvent({
        type: 'compaction_end',
        reason: 'threshold',
        result: { summary: 's', usage },
        aborted: false,
        willRetry: false,
      })!,
    );
    expect(change.kind).toBe('usage');
    expect(acc.compacting).toBe(false);
    expect(acc.modelRequests).toBe(1);
    expect(acc.usage.input).toBe(1123);
    acc.apply(
      parsePiEvent({
        type: 'compaction_end',
        reason: 'overflow',
        aborted: false,
        willRetry: false,
        errorMessage: 'Context overflow recovery failed: x',
      })!,
    );
    expect(acc.modelRequests).toBe(1);
    expect(acc.compactionError).toBe('Context overflow recovery failed: x');
  });

  it('recognises overflow wording but not throttling', () => {
    expect(
      isContextOverflowError(
        `400: {"message":"This model's maximum context length is 8192 tokens.","code":"context_length_exceeded"}`,
      ),
    ).toBe(true);
    expect(isContextOverflowError('400: the request exceeds the available context size, try increasing it')).toBe(true);
    expect(isContextOverflowError('429: Rate limit: too many tokens per minute')).toBe(false);
    expect(isContextOverflowError('400: invalid tool schema')).toBe(false);
  });
});
