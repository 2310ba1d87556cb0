/**
 * Read-only helpers over a recorded chat-completions body, for script functions that answer
 * based on what pi sent (the demo) and for tests asserting on prompts and tool results.
 */
import { isObject } from '../util/json.js';
import type { RecordedRequest } from './types.js';

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: string;
}

/** The `messages` array of a chat-completions request (empty when absent or malformed). */
export function chatMessages(request: RecordedRequest): ChatMessage[] {
  const messages = isObject(request.body) ? request.body.messages : undefined;
  if (!Array.isArray(messages)) return [];
  return messages.filter((m): m is ChatMessage => isObject(m) && typeof m.role === 'string');
}

/** Flattens OpenAI message content (a string or an array of parts) to its text. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

/** Text of the last message with the given role, or undefined. */
export function lastMessageText(request: RecordedRequest, role: string): string | undefined {
  const messages = chatMessages(request).filter((m) => m.role === role);
  const last = messages[messages.length - 1];
  return last === undefined ? undefined : contentText(last.content);
}

/** Every tool result (role `tool`) in the request, in order. */
export function toolResults(request: RecordedRequest): { toolCallId: string; text: string }[] {
  return chatMessages(request)
    .filter((m) => m.role === 'tool')
    .map((m) => ({ toolCallId: m.tool_call_id ?? '', text: contentText(m.content) }));
}

/** Whether the last message of the request is a tool result (pi is continuing a tool loop). */
export function endsWithToolResult(request: RecordedRequest): boolean {
  const messages = chatMessages(request);
  return messages[messages.length - 1]?.role === 'tool';
}
