/**
 * Typed view of the records pi writes on stdout in RPC mode (docs: json.md, rpc.md, rpc-commands.md
 * of @earendil-works/pi-coding-agent 0.87). Parsing is deliberately tolerant: a newer pi may add
 * event types or fields; anything we do not know becomes `unknown` and only counts as activity.
 */

import { isObject, type JsonObject } from '../../util/json.js';
import { emptyUsage, type TokenUsage } from '../types.js';
import type { Expect, PiRecordType } from './protocol.js';

export interface AssistantInfo {
  text: string;
  stopReason: string;
  errorMessage?: string;
  usage: TokenUsage;
  provider?: string;
  model?: string;
  toolCalls: { id: string; name: string; args: Record<string, unknown> }[];
}

export type PiEvent =
  | { kind: 'response'; id?: string; command: string; success: boolean; error?: string; data?: unknown }
  | { kind: 'agent_start' }
  | { kind: 'agent_end'; willRetry: boolean }
  | { kind: 'agent_settled' }
  | { kind: 'turn_start' }
  | { kind: 'turn_end' }
  | { kind: 'message_start'; role: string }
  | { kind: 'message_update' }
  /** `assistant` is set only for assistant messages (the authoritative final message). */
  | { kind: 'message_end'; role: string; assistant?: AssistantInfo }
  | { kind: 'tool_execution_start'; toolCallId: string; toolName: string; args: Record<string, unknown> }
  | { kind: 'tool_execution_update'; toolCallId: string }
  | { kind: 'tool_execution_end'; toolCallId: string; toolName: string; isError: boolean; resultText: string }
  | { kind: 'auto_retry_start'; attempt: number; maxAttempts: number; delayMs: number; errorMessage: string }
  | { kind: 'auto_retry_end'; success: boolean; attempt: number; finalError?: string }
  | { kind: 'compaction_start'; reason: string }
  /** `usage`: the summarization call(s) pi made, which get no message_end of their own. */
  | { kind: 'compaction_end'; aborted: boolean; willRetry: boolean; errorMessage?: string; usage?: TokenUsage }
  | { kind: 'queue_update' }
  | { kind: 'extension_ui_request'; id: string; method: string }
  | { kind: 'extension_error'; error: string }
  | { kind: 'unknown'; type: string };

/** Compile-time: every kind read here, but `unknown`, is a record type pi 0.87.1 sends. */
export type PiEventKindsCheck = Expect<
  [Exclude<PiEvent['kind'], PiRecordType | 'unknown'>] extends [never] ? true : false
>;

type Obj = JsonObject;

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const objOrEmpty = (v: unknown): Obj => (isObject(v) ? v : {});

type Parser = (record: Obj) => PiEvent;

/** One reader per record type pi sends; the keys are checked against pi's exported protocol types. */
const PARSER_TABLE: { [K in PiRecordType]?: Parser } = {
  response: (r) => ({
    kind: 'response',
    id: optStr(r.id),
    command: str(r.command),
    success: r.success === true,
    error: optStr(r.error),
    data: r.data,
  }),
  agent_start: () => ({ kind: 'agent_start' }),
  agent_settled: () => ({ kind: 'agent_settled' }),
  turn_start: () => ({ kind: 'turn_start' }),
  turn_end: () => ({ kind: 'turn_end' }),
  message_update: () => ({ kind: 'message_update' }),
  queue_update: () => ({ kind: 'queue_update' }),
  agent_end: (r) => ({ kind: 'agent_end', willRetry: r.willRetry === true }),
  message_start: (r) => ({ kind: 'message_start', role: str(objOrEmpty(r.message).role) }),
  message_end: parseMessageEnd,
  tool_execution_start: (r) => ({
    kind: 'tool_execution_start',
    toolCallId: str(r.toolCallId),
    toolName: str(r.toolName),
    args: objOrEmpty(r.args),
  }),
  tool_execution_update: (r) => ({ kind: 'tool_execution_update', toolCallId: str(r.toolCallId) }),
  tool_execution_end: (r) => ({
    kind: 'tool_execution_end',
    toolCallId: str(r.toolCallId),
    toolName: str(r.toolName),
    isError: r.isError === true,
    resultText: contentText(objOrEmpty(r.result).content),
  }),
  auto_retry_start: (r) => ({
    kind: 'auto_retry_start',
    attempt: num(r.attempt),
    maxAttempts: num(r.maxAttempts),
    delayMs: num(r.delayMs),
    errorMessage: str(r.errorMessage),
  }),
  auto_retry_end: (r) => ({
    kind: 'auto_retry_end',
    success: r.success === true,
    attempt: num(r.attempt),
    finalError: optStr(r.finalError),
  }),
  compaction_start: (r) => ({ kind: 'compaction_start', reason: str(r.reason) }),
  compaction_end: parseCompactionEnd,
  extension_ui_request: (r) => ({ kind: 'extension_ui_request', id: str(r.id), method: str(r.method) }),
  extension_error: (r) => ({ kind: 'extension_error', error: str(r.error) }),
};
/** A Map, so a record type like `constructor` finds no inherited property. */
const PARSERS = new Map<string, Parser>(Object.entries(PARSER_TABLE));

/** Returns undefined for values that are not JSON objects with a string `type`. */
export function parsePiEvent(raw: unknown): PiEvent | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  const parse = PARSERS.get(raw.type);
  return parse ? parse(raw) : { kind: 'unknown', type: raw.type };
}

function parseMessageEnd(r: Obj): PiEvent {
  const message = objOrEmpty(r.message);
  const role = str(message.role);
  return role === 'assistant'
    ? { kind: 'message_end', role, assistant: parseAssistant(message) }
    : { kind: 'message_end', role };
}

function parseCompactionEnd(r: Obj): PiEvent {
  const result = objOrEmpty(r.result);
  return {
    kind: 'compaction_end',
    aborted: r.aborted === true,
    willRetry: r.willRetry === true,
    errorMessage: optStr(r.errorMessage),
    usage: isObject(result.usage) ? parseUsage(result.usage) : undefined,
  };
}

/** pi's Usage: {input, output, cacheRead, cacheWrite, totalTokens, cost:{…, total}}. */
export function parseUsage(raw: unknown): TokenUsage {
  if (!isObject(raw)) return emptyUsage();
  return {
    input: num(raw.input),
    output: num(raw.output),
    cacheRead: num(raw.cacheRead),
    cacheWrite: num(raw.cacheWrite),
    cost: num(objOrEmpty(raw.cost).total),
  };
}

function parseAssistant(message: Obj): AssistantInfo {
  const content = Array.isArray(message.content) ? message.content : [];
  const toolCalls: AssistantInfo['toolCalls'] = [];
  for (const block of content) {
    if (isObject(block) && block.type === 'toolCall') {
      toolCalls.push({ id: str(block.id), name: str(block.name), args: objOrEmpty(block.arguments) });
    }
  }
  return {
    text: contentText(content),
    stopReason: str(message.stopReason, 'unknown'),
    errorMessage: optStr(message.errorMessage),
    usage: parseUsage(message.usage),
    provider: optStr(message.provider),
    model: optStr(message.model),
    toolCalls,
  };
}

/** Concatenated text blocks of a content array (or a plain string content). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b): b is Obj => isObject(b) && b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('');
}

/**
 * Records that are consequences of our own commands rather than agent progress. They must not
 * reset the silence clock, or a soft continue would keep a stalled turn alive forever.
 */
export function isAgentActivity(event: PiEvent): boolean {
  return event.kind !== 'response' && event.kind !== 'queue_update';
}
