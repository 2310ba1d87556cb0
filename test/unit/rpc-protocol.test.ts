/**
 * The typed pi RPC protocol (src/agent/rpc/protocol.ts). The type-level cases below are checked by
 * `npm run typecheck` (part of `npm test`): an `@ts-expect-error` that stops erring fails it, so
 * loosening the command type or the compile-time field checks is caught.
 */
import type { RpcSessionState } from '@earendil-works/pi-coding-agent';
import { describe, expect, it } from 'vitest';
import { parsePiEvent } from '../../src/agent/rpc/events.js';
import {
  decodeAnswer,
  decodeSessionState,
  type Expect,
  type PiCommand,
  type PiMessage,
  type ReadsOnlyKnownFields,
} from '../../src/agent/rpc/protocol.js';

/** What pi 0.87.1 answers to get_state (a real answer, model trimmed). */
const PI_STATE = {
  model: { provider: 'scripted', id: 'test-model', name: 'Test', api: 'openai-completions' },
  thinkingLevel: 'off',
  isStreaming: false,
  isCompacting: false,
  steeringMode: 'one-at-a-time',
  followUpMode: 'one-at-a-time',
  sessionFile: '/tmp/run/pi-sessions/s.jsonl',
  sessionId: '0198c1a2-session',
  autoCompactionEnabled: true,
  messageCount: 0,
  pendingMessageCount: 0,
};

describe('decoding pi answers', () => {
  it('reads the get_state fields the harness relies on', () => {
    expect(decodeAnswer('get_state', { success: true, data: PI_STATE })).toEqual({
      success: true,
      data: {
        model: { provider: 'scripted', id: 'test-model' },
        thinkingLevel: 'off',
        isStreaming: false,
        isCompacting: false,
        sessionFile: '/tmp/run/pi-sessions/s.jsonl',
        sessionId: '0198c1a2-session',
        messageCount: 0,
        pendingMessageCount: 0,
      },
    });
  });

  it('leaves out what a different pi sends in another shape, instead of trusting a cast', () => {
    const state = decodeSessionState({ sessionId: 42, model: null, isStreaming: 'no', messageCount: '0', extra: 1 });
    expect(state).toEqual({});
    expect(decodeSessionState(undefined)).toEqual({});
    expect(decodeSessionState([PI_STATE])).toEqual({});
  });

  it("passes pi's refusal on with its reason", () => {
    expect(decodeAnswer('new_session', { success: false, error: 'Unknown command: new_session' })).toEqual({
      success: false,
      error: 'Unknown command: new_session',
    });
  });

  it('reads new_session cancellation, and answers without data', () => {
    expect(decodeAnswer('new_session', { success: true, data: { cancelled: true } })).toEqual({
      success: true,
      data: { cancelled: true },
    });
    expect(decodeAnswer('new_session', { success: true })).toEqual({ success: true, data: { cancelled: false } });
    expect(decodeAnswer('prompt', { success: true, data: { surprise: 1 } })).toEqual({
      success: true,
      data: undefined,
    });
  });

  it('reads a record type named like an Object property as an unknown event', () => {
    expect(parsePiEvent({ type: 'constructor' })).toEqual({ kind: 'unknown', type: 'constructor' });
    expect(parsePiEvent({ type: 'toString' })).toEqual({ kind: 'unknown', type: 'toString' });
  });
});

describe('the command types follow pi', () => {
  it('accept the commands the harness sends and refuse malformed ones at compile time', () => {
    const sent: PiMessage[] = [
      { type: 'prompt', message: 'task', images: [{ type: 'image', data: 'AAAA', mimeType: 'image/png' }] },
      { type: 'steer', message: 'continue' },
      { type: 'abort' },
      { type: 'get_state' },
      { type: 'new_session' },
      { type: 'extension_ui_response', id: 'dialog-1', cancelled: true },
    ];
    // @ts-expect-error a prompt without its message is not a command pi accepts
    const noMessage: PiCommand = { type: 'prompt' };
    // @ts-expect-error a misspelt command type
    const misspelt: PiCommand = { type: 'get_sate' };
    // @ts-expect-error a command pi knows but the harness has no decoder for
    const undecoded: PiCommand = { type: 'bash', command: 'ls' };
    // @ts-expect-error images must be pi's ImageContent
    const badImage: PiCommand = { type: 'prompt', message: 'x', images: [{ data: 'AAAA' }] };
    expect([...sent, noMessage, misspelt, undecoded, badImage]).toHaveLength(10);
  });

  it('the field check refuses a field pi does not send or sends with another type', () => {
    type Fine = Expect<ReadsOnlyKnownFields<{ sessionId?: string; messageCount?: number }, RpcSessionState>>;
    // @ts-expect-error `sessionID` is not a field of pi's state
    type Renamed = Expect<ReadsOnlyKnownFields<{ sessionID?: string }, RpcSessionState>>;
    // @ts-expect-error pi's messageCount is a number
    type Retyped = Expect<ReadsOnlyKnownFields<{ messageCount?: string }, RpcSessionState>>;
    const checks: [Fine?, Renamed?, Retyped?] = [];
    expect(checks).toEqual([]);
  });
});
