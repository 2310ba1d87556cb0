/** The one decoder of journal lines: tolerant of what other harness versions and crashes leave. */
import { describe, expect, it } from 'vitest';
import { decodeLine } from '../../src/journal/decode.js';

const decode = (value: unknown) => decodeLine(JSON.stringify(value), { runId: 'R', position: 7 });

describe('decodeLine', () => {
  it('returns a well-formed event as it is', () => {
    const event = {
      v: 1,
      runId: 'R',
      at: '2026-01-01T00:00:00.000Z',
      seq: 3,
      type: 'verdict',
      iteration: 2,
      verdict: 'FAIL',
      recheck: false,
      findings: 'b is wrong',
    };
    expect(decode(event)).toEqual({ kind: 'event', event });
  });

  it('drops fields of the wrong shape, mends usage, and fills a missing envelope from the context', () => {
    const decoded = decode({
      type: 'turn_end',
      iteration: 'two',
      role: 'merger',
      status: 'success',
      usage: { input: 'lots', output: 5 },
      tools: [{ name: 'read', path: 'a.ts' }, { path: 'no name' }, 'junk'],
      changedFiles: ['a.ts', 3],
    });
    expect(decoded).toEqual({
      kind: 'event',
      event: {
        v: 1,
        runId: 'R',
        at: '',
        seq: 7,
        type: 'turn_end',
        status: 'success',
        usage: { input: 0, output: 5, cacheRead: 0, cacheWrite: 0, cost: 0 },
        tools: [{ name: 'read', path: 'a.ts' }],
        changedFiles: ['a.ts'],
      },
    });
  });

  it('ignores types it does not know and counts what is not an event as malformed', () => {
    expect(decode({ type: 'dashboard_opened', url: 'http://x' })).toEqual({ kind: 'unknown' });
    expect(decodeLine('{"type":"turn_end","iter', { position: 1 })).toEqual({ kind: 'malformed' });
    expect(decode([1, 2])).toEqual({ kind: 'malformed' });
    expect(decode({ no: 'type' })).toEqual({ kind: 'malformed' });
  });
});
