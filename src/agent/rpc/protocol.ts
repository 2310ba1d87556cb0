/**
 * The commands the harness sends to pi in RPC mode and the answers it reads back, typed from the
 * protocol pi itself exports (RpcCommand, RpcResponse, RpcSessionState of
 * @earendil-works/pi-coding-agent), so a command pi would not accept fails to compile.
 *
 * Answers are read tolerantly, once, here: a field pi did not send (an older or newer pi) is
 * absent rather than a crash. Only fields pi 0.87.1 sends are read; the compile-time checks at the
 * end of this file fail when a pi upgrade renames or retypes one of them.
 */

import type {
  JsonAgentSessionEvent,
  RpcCommand,
  RpcExtensionUIRequest,
  RpcExtensionUIResponse,
  RpcResponse,
  RpcSessionState,
} from '@earendil-works/pi-coding-agent';
import { isObject } from '../../util/json.js';

/** The part of pi's `get_state` answer the harness relies on; a field pi did not send is absent. */
export interface PiSessionState {
  sessionId?: string;
  sessionFile?: string;
  model?: { provider?: string; id?: string };
  thinkingLevel?: string;
  isStreaming?: boolean;
  isCompacting?: boolean;
  messageCount?: number;
  pendingMessageCount?: number;
}

/** The data of a successful answer, per command the harness sends. */
export interface AnswerData {
  prompt: undefined;
  steer: undefined;
  abort: undefined;
  get_state: PiSessionState;
  new_session: { cancelled: boolean };
  /** The names of the commands a `prompt` can run (extension commands, templates, skills). */
  get_commands: { names: string[] };
}

export type PiCommandType = keyof AnswerData;

/** A command the harness sends: one of pi's own RpcCommand variants (the id is added on sending). */
export type PiCommand = Extract<RpcCommand, { type: PiCommandType }>;

/** Everything the harness writes to pi's stdin. */
export type PiMessage = PiCommand | RpcExtensionUIResponse;

/** pi's answer to one command, its data decoded. `error` is pi's reason for a refusal. */
export type PiAnswer<T extends PiCommandType> =
  | { success: true; data: AnswerData[T] }
  | { success: false; error: string | undefined };

/** The response record as it arrived, before decoding (see events.ts). */
export interface RawResponse {
  success: boolean;
  error?: string;
  data?: unknown;
}

const DECODERS: { [T in PiCommandType]: (data: unknown) => AnswerData[T] } = {
  prompt: () => undefined,
  steer: () => undefined,
  abort: () => undefined,
  get_state: decodeSessionState,
  new_session: (data) => ({ cancelled: isObject(data) && data.cancelled === true }),
  get_commands: (data) => ({
    names:
      isObject(data) && Array.isArray(data.commands)
        ? data.commands.flatMap((command) =>
            isObject(command) && typeof command.name === 'string' ? [command.name] : [],
          )
        : [],
  }),
};

/** Decodes the response to a `type` command into its typed answer. */
export function decodeAnswer<T extends PiCommandType>(type: T, response: RawResponse): PiAnswer<T> {
  if (!response.success) return { success: false, error: response.error };
  return { success: true, data: DECODERS[type](response.data) };
}

export function decodeSessionState(data: unknown): PiSessionState {
  if (!isObject(data)) return {};
  const state: PiSessionState = {};
  if (typeof data.sessionId === 'string') state.sessionId = data.sessionId;
  if (typeof data.sessionFile === 'string') state.sessionFile = data.sessionFile;
  if (isObject(data.model)) {
    state.model = {};
    if (typeof data.model.provider === 'string') state.model.provider = data.model.provider;
    if (typeof data.model.id === 'string') state.model.id = data.model.id;
  }
  if (typeof data.thinkingLevel === 'string') state.thinkingLevel = data.thinkingLevel;
  if (typeof data.isStreaming === 'boolean') state.isStreaming = data.isStreaming;
  if (typeof data.isCompacting === 'boolean') state.isCompacting = data.isCompacting;
  if (typeof data.messageCount === 'number') state.messageCount = data.messageCount;
  if (typeof data.pendingMessageCount === 'number') state.pendingMessageCount = data.pendingMessageCount;
  return state;
}

/** The extension dialogs that wait for an answer; the harness cancels them (nobody is there to answer). */
export const DIALOG_METHODS: ReadonlySet<string> = new Set([
  'select',
  'confirm',
  'input',
  'editor',
] satisfies RpcExtensionUIRequest['method'][]);

// ---------------------------------------------------------------------------------------------
// Compile-time checks against pi's exported protocol types. Each alias below only compiles while
// its condition holds; test/unit/rpc-protocol.test.ts shows that they catch a mismatch.

/** Resolves to `true` only for `true`: a failed check becomes a compile error where it is used. */
export type Expect<T extends true> = T;

/** Every field of `Ours` exists in `Theirs`, and a value of `Theirs` fits `Ours`. */
export type ReadsOnlyKnownFields<Ours, Theirs> = [Exclude<keyof Ours, keyof Theirs>] extends [never]
  ? [Theirs] extends [Ours]
    ? true
    : false
  : false;

/** The data of pi's successful response to `T` (undefined when pi sends none). */
export type PiAnswerData<T extends string> =
  Extract<RpcResponse, { command: T; success: true }> extends infer R
    ? R extends { data: infer D }
      ? D
      : undefined
    : never;

/** What pi sends on stdout: responses, session events, extension requests and errors. */
export type PiRecordType =
  | RpcResponse['type']
  | JsonAgentSessionEvent['type']
  | RpcExtensionUIRequest['type']
  /** Sent by pi's RPC mode when an extension handler throws; not part of its exported types. */
  | 'extension_error';

export type ProtocolChecks = [
  // Every command the harness sends is one pi knows.
  Expect<[Exclude<PiCommandType, RpcCommand['type']>] extends [never] ? true : false>,
  Expect<ReadsOnlyKnownFields<PiSessionState, PiAnswerData<'get_state'>>>,
  Expect<ReadsOnlyKnownFields<NonNullable<PiSessionState['model']>, NonNullable<RpcSessionState['model']>>>,
  Expect<ReadsOnlyKnownFields<AnswerData['new_session'], PiAnswerData<'new_session'>>>,
  Expect<[PiAnswerData<'prompt' | 'steer' | 'abort'>] extends [undefined] ? true : false>,
];
