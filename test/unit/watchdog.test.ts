import { describe, expect, it } from 'vitest';
import {
  canonicalArgs,
  decideWatchdog,
  detectLoop,
  toolCallPath,
  type ObservedToolCall,
  type WatchdogSample,
  type WatchdogThresholds,
} from '../../src/agent/rpc/watchdog.js';

const T: WatchdogThresholds = {
  continueAfterSeconds: 10,
  toolContinueAfterSeconds: 100,
  noEventTimeoutSeconds: 30,
  toolNoEventTimeoutSeconds: 300,
  agentTimeoutSeconds: 1000,
};
const S: WatchdogSample = {
  secondsSinceLastEvent: 0,
  toolRunning: false,
  secondsSinceTurnStart: 0,
  softContinueSent: false,
};
const off: WatchdogThresholds = {
  continueAfterSeconds: 0,
  toolContinueAfterSeconds: 0,
  noEventTimeoutSeconds: 0,
  toolNoEventTimeoutSeconds: 0,
  agentTimeoutSeconds: 0,
};

describe('decideWatchdog', () => {
  it('waits while events flow', () => {
    expect(decideWatchdog(T, S)).toBe('wait');
    expect(decideWatchdog(T, { ...S, secondsSinceLastEvent: 9.99, secondsSinceTurnStart: 999 })).toBe('wait');
  });

  it('nudges once after continueAfterSeconds of silence (boundary inclusive)', () => {
    expect(decideWatchdog(T, { ...S, secondsSinceLastEvent: 10 })).toBe('soft_continue');
    expect(decideWatchdog(T, { ...S, secondsSinceLastEvent: 20 })).toBe('soft_continue');
    expect(decideWatchdog(T, { ...S, secondsSinceLastEvent: 20, softContinueSent: true })).toBe('wait');
  });

  it('aborts a stall at noEventTimeoutSeconds even after a nudge', () => {
    expect(decideWatchdog(T, { ...S, secondsSinceLastEvent: 30 })).toBe('abort_no_event');
    expect(decideWatchdog(T, { ...S, secondsSinceLastEvent: 31, softContinueSent: true })).toBe('abort_no_event');
    expect(decideWatchdog(T, { ...S, secondsSinceLastEvent: 29.9, softContinueSent: true })).toBe('wait');
  });

  it('uses the tool thresholds while a tool runs', () => {
    const tool = { ...S, toolRunning: true };
    expect(decideWatchdog(T, { ...tool, secondsSinceLastEvent: 50 })).toBe('wait');
    expect(decideWatchdog(T, { ...tool, secondsSinceLastEvent: 100 })).toBe('soft_continue');
    expect(decideWatchdog(T, { ...tool, secondsSinceLastEvent: 200, softContinueSent: true })).toBe('wait');
    expect(decideWatchdog(T, { ...tool, secondsSinceLastEvent: 300 })).toBe('abort_no_event');
  });

  it('the wall-clock cap beats every other decision', () => {
    expect(decideWatchdog(T, { ...S, secondsSinceTurnStart: 1000 })).toBe('abort_agent_timeout');
    expect(decideWatchdog(T, { ...S, secondsSinceTurnStart: 1000, secondsSinceLastEvent: 500 })).toBe(
      'abort_agent_timeout',
    );
    expect(
      decideWatchdog(T, { ...S, secondsSinceTurnStart: 5000, toolRunning: true, secondsSinceLastEvent: 100 }),
    ).toBe('abort_agent_timeout');
  });

  it('0 disables each threshold independently', () => {
    const huge = { ...S, secondsSinceLastEvent: 1e9, secondsSinceTurnStart: 1e9 };
    expect(decideWatchdog(off, huge)).toBe('wait');
    expect(decideWatchdog(off, { ...huge, toolRunning: true })).toBe('wait');
    expect(decideWatchdog({ ...off, continueAfterSeconds: 5 }, huge)).toBe('soft_continue');
    expect(decideWatchdog({ ...off, continueAfterSeconds: 5 }, { ...huge, toolRunning: true })).toBe('wait');
    expect(decideWatchdog({ ...off, noEventTimeoutSeconds: 5 }, huge)).toBe('abort_no_event');
    expect(decideWatchdog({ ...off, noEventTimeoutSeconds: 5 }, { ...huge, toolRunning: true })).toBe('wait');
    expect(decideWatchdog({ ...off, toolNoEventTimeoutSeconds: 5 }, { ...huge, toolRunning: true })).toBe(
      'abort_no_event',
    );
    expect(decideWatchdog({ ...off, toolContinueAfterSeconds: 5 }, { ...huge, toolRunning: true })).toBe(
      'soft_continue',
    );
    expect(decideWatchdog({ ...off, agentTimeoutSeconds: 5 }, huge)).toBe('abort_agent_timeout');
  });

  it('a continue threshold above the abort threshold never nudges', () => {
    const t = { ...T, continueAfterSeconds: 60, noEventTimeoutSeconds: 30 };
    expect(decideWatchdog(t, { ...S, secondsSinceLastEvent: 45 })).toBe('abort_no_event');
    expect(decideWatchdog(t, { ...S, secondsSinceLastEvent: 29 })).toBe('wait');
  });

  it('is exhaustive over a grid: never aborts before a limit, always by it', () => {
    for (const toolRunning of [false, true]) {
      for (const sent of [false, true]) {
        for (let idle = 0; idle <= 400; idle += 5) {
          for (const start of [0, 999, 1000]) {
            const d = decideWatchdog(T, {
              secondsSinceLastEvent: idle,
              toolRunning,
              secondsSinceTurnStart: start,
              softContinueSent: sent,
            });
            const abortAt = toolRunning ? 300 : 30;
            const nudgeAt = toolRunning ? 100 : 10;
            const expected =
              start >= 1000
                ? 'abort_agent_timeout'
                : idle >= abortAt
                  ? 'abort_no_event'
                  : !sent && idle >= nudgeAt
                    ? 'soft_continue'
                    : 'wait';
            expect(d).toBe(expected);
          }
        }
      }
    }
  });
});

describe('detectLoop', () => {
  const bash = (command: string): ObservedToolCall => ({ name: 'bash', args: { command } });
  const onPath = (name: string, path: string, extra: Record<string, unknown> = {}): ObservedToolCall => ({
    name,
    args: { path, ...extra },
    path: toolCallPath({ path }),
  });
  const L = { loopRepeatThreshold: 3, samePathRepeatThreshold: 4 };

  it('no calls, no loop', () => {
    expect(detectLoop([], L)).toEqual({ kind: 'none' });
  });

  it('flags the same call repeated threshold times in a row', () => {
    expect(detectLoop([bash('ls'), bash('ls')], L)).toEqual({ kind: 'none' });
    expect(detectLoop([bash('ls'), bash('ls'), bash('ls')], L)).toEqual({ kind: 'tool_loop', count: 3, name: 'bash' });
  });

  it('an interruption resets the run; only the trailing run counts', () => {
    expect(detectLoop([bash('ls'), bash('ls'), bash('pwd'), bash('ls')], L)).toEqual({ kind: 'none' });
    expect(detectLoop([bash('ls'), bash('ls'), bash('ls'), bash('pwd')], L)).toEqual({ kind: 'none' });
  });

  it('different args or tool names are different calls', () => {
    expect(detectLoop([bash('ls'), bash('ls -la'), bash('ls')], L)).toEqual({ kind: 'none' });
    expect(detectLoop([bash('ls'), { name: 'sh', args: { command: 'ls' } }, bash('ls')], L)).toEqual({ kind: 'none' });
  });

  it('argument key order does not matter', () => {
    const a = { name: 'edit', args: { path: 'x', old: 'a', new: 'b' } };
    const b = { name: 'edit', args: { new: 'b', old: 'a', path: 'x' } };
    expect(detectLoop([a, b, a], { ...L, samePathRepeatThreshold: 0 })).toMatchObject({ kind: 'tool_loop', count: 3 });
  });

  it('flags many calls on the same path with any tool', () => {
    const calls = [
      onPath('read', 'a.ts'),
      onPath('edit', 'a.ts', { n: 1 }),
      onPath('edit', 'a.ts', { n: 2 }),
      onPath('read', './a.ts'),
    ];
    expect(detectLoop(calls.slice(0, 3), L)).toEqual({ kind: 'none' });
    expect(detectLoop(calls, L)).toEqual({ kind: 'path_loop', count: 4, path: 'a.ts' });
  });

  it('a call without a path breaks a path run', () => {
    const calls = [
      onPath('read', 'a.ts'),
      onPath('read', 'a.ts', { o: 1 }),
      bash('x'),
      onPath('read', 'a.ts', { o: 2 }),
      onPath('edit', 'a.ts'),
    ];
    expect(detectLoop(calls, L)).toEqual({ kind: 'none' });
  });

  it('tool_loop wins when both apply', () => {
    const c = onPath('read', 'a.ts');
    expect(detectLoop([c, c, c, c], L)).toMatchObject({ kind: 'tool_loop', count: 4 });
  });

  it('0 disables each detector', () => {
    const c = onPath('read', 'a.ts');
    const many = Array.from({ length: 50 }, () => c);
    expect(detectLoop(many, { loopRepeatThreshold: 0, samePathRepeatThreshold: 0 })).toEqual({ kind: 'none' });
    expect(detectLoop(many, { loopRepeatThreshold: 0, samePathRepeatThreshold: 4 })).toMatchObject({
      kind: 'path_loop',
    });
  });
});

describe('toolCallPath / canonicalArgs', () => {
  it('finds the path under common keys and normalises it', () => {
    expect(toolCallPath({ path: './src//a.ts' })).toBe('src/a.ts');
    expect(toolCallPath({ file_path: 'dir/' })).toBe('dir');
    expect(toolCallPath({ command: 'ls' })).toBeUndefined();
    expect(toolCallPath({ path: '   ' })).toBeUndefined();
    expect(toolCallPath({ path: 42 })).toBeUndefined();
  });

  it('serialises nested values deterministically', () => {
    expect(canonicalArgs({ b: [1, { d: 2, c: 3 }], a: null })).toBe('{"a":null,"b":[1,{"c":3,"d":2}]}');
    expect(canonicalArgs({ a: undefined, b: 1 })).toBe(canonicalArgs({ b: 1 }));
  });
});
