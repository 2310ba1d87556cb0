/**
 * The guarded transport wraps every turn with the guard's context and block journaling, and keeps
 * what the loop needs of the transport underneath: the operator's steer into the turn in flight
 * (without it `pi-harness steer` would silently fall back to the next prompt) and releaseSessions.
 */
import { describe, expect, it } from 'vitest';
import type { SteerOutcome, Transport, TurnRequest, TurnResult } from '../../../src/agent/types.js';
import { guardedTransport } from '../../../src/loop/guard/guarded-transport.js';
import type { RunGuard } from '../../../src/loop/guard/run-guard.js';

function fakeGuard(calls: string[]): RunGuard {
  const guard = {
    beforeTurn: async (role: string) => void calls.push(`beforeTurn ${role}`),
    drainBlocks: () => void calls.push('drainBlocks'),
  };
  return guard as unknown as RunGuard;
}

describe('guardedTransport', () => {
  it('steers the turn in flight and releases sessions through the transport underneath', async () => {
    const calls: string[] = [];
    const delivered: SteerOutcome = { kind: 'delivered', at: 1, role: 'developer' };
    const inner: Transport = {
      runTurn: async () => {
        calls.push('runTurn');
        return {} as TurnResult;
      },
      steer: async (text) => {
        calls.push(`steer ${text}`);
        return delivered;
      },
      releaseSessions: async () => void calls.push('releaseSessions'),
      close: async () => void calls.push('close'),
    };
    const guarded = guardedTransport(inner, fakeGuard(calls));
    await guarded.runTurn({ role: 'developer' } as TurnRequest);
    expect(await guarded.steer?.('add a note')).toEqual(delivered);
    await guarded.releaseSessions?.();
    await guarded.close();
    expect(calls).toEqual([
      'beforeTurn developer',
      'runTurn',
      'drainBlocks',
      'steer add a note',
      'releaseSessions',
      'close',
    ]);
  });

  it('offers no steer when the transport underneath has none (the mock)', () => {
    const guarded = guardedTransport({ runTurn: async () => ({}) as TurnResult, close: async () => {} }, fakeGuard([]));
    expect(guarded.steer).toBeUndefined();
    expect(guarded.releaseSessions).toBeUndefined();
  });
});
