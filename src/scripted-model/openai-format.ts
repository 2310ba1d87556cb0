/**
 * Builders for the OpenAI chat-completions wire format, limited to what pi's
 * `openai-completions` provider (pi-ai) reads: `choices[0].delta.content`,
 * `choices[0].delta.tool_calls[]`, `choices[0].finish_reason`, and a final chunk whose `usage`
 * carries `prompt_tokens`, `completion_tokens` and `prompt_tokens_details.cached_tokens`.
 */
import type { ReportedUsage, ScriptedToolCall, UsageOverride } from './types.js';

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface WireToolCall {
  id: string;
  name: string;
  /** JSON-encoded arguments as the model would stream them. */
  arguments: string;
}

/**
 * Deterministic default usage: roughly four bytes per token, so tests can predict sums without
 * knowing pi's exact prompt. The values are recorded on the request for exact assertions.
 */
export function computeUsage(requestBytes: number, outputChars: number, override?: UsageOverride): ReportedUsage {
  return {
    input: override?.input ?? Math.max(1, Math.ceil(requestBytes / 4)),
    output: override?.output ?? Math.max(1, Math.ceil(outputChars / 4)),
    cacheRead: override?.cacheRead ?? 0,
  };
}

/**
 * pi computes `input = prompt_tokens - cached_tokens`, so the cached part is added on top of the
 * uncached input to make pi's accounting equal to the reported values.
 */
export function wireUsage(usage: ReportedUsage): Record<string, unknown> {
  const promptTokens = usage.input + usage.cacheRead;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.output,
    total_tokens: promptTokens + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead },
  };
}

export function toWireToolCalls(calls: readonly ScriptedToolCall[], completionIndex: number): WireToolCall[] {
  return calls.map((call, i) => ({
    id: call.id ?? `call_${completionIndex}_${i}`,
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
}

/** Builds successive `chat.completion.chunk` objects sharing one completion id. */
export class ChunkBuilder {
  private readonly id: string;
  private readonly model: string;
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(model: string, completionIndex: number) {
    this.model = model;
    this.id = `chatcmpl-scripted-${completionIndex}`;
  }

  private chunk(delta: Record<string, unknown>, finishReason: FinishReason | null): Record<string, unknown> {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    };
  }

  /** The opening chunk real servers send: the role and an empty content string. */
  role(): Record<string, unknown> {
    return this.chunk({ role: 'assistant', content: '' }, null);
  }

  text(delta: string): Record<string, unknown> {
    return this.chunk({ content: delta }, null);
  }

  reasoning(delta: string): Record<string, unknown> {
    return this.chunk({ reasoning_content: delta }, null);
  }

  /** The first chunk of a tool call announces id and name; arguments follow in pieces. */
  toolCallStart(index: number, call: WireToolCall): Record<string, unknown> {
    return this.chunk(
      { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] },
      null,
    );
  }

  toolCallArguments(index: number, fragment: string): Record<string, unknown> {
    return this.chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }, null);
  }

  finish(reason: FinishReason): Record<string, unknown> {
    return this.chunk({}, reason);
  }

  /** The trailing usage chunk of `stream_options.include_usage`: empty `choices`. */
  usage(usage: ReportedUsage): Record<string, unknown> {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [],
      usage: wireUsage(usage),
    };
  }

  /** A complete non-streaming `chat.completion` response. */
  completion(
    text: string | null,
    toolCalls: readonly WireToolCall[],
    finishReason: FinishReason,
    usage: ReportedUsage,
  ): Record<string, unknown> {
    const message: Record<string, unknown> = { role: 'assistant', content: text };
    if (toolCalls.length > 0) {
      message.tool_calls = toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      }));
    }
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, message, finish_reason: finishReason }],
      usage: wireUsage(usage),
    };
  }
}

/** Splits a string into at most `parts` non-empty pieces (to exercise incremental parsing). */
export function splitInPieces(value: string, parts: number): string[] {
  if (value.length === 0) return [];
  const size = Math.ceil(value.length / Math.max(1, parts));
  const pieces: string[] = [];
  for (let i = 0; i < value.length; i += size) pieces.push(value.slice(i, i + size));
  return pieces;
}

const DEFAULT_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
};

/** An OpenAI-style error body: `{ error: { message, type, param, code } }`. */
export function errorBody(
  status: number,
  message: string,
  type?: string,
  code?: string | null,
): Record<string, unknown> {
  return {
    error: {
      message,
      type: type ?? DEFAULT_ERROR_TYPES[status] ?? (status >= 500 ? 'server_error' : 'api_error'),
      param: null,
      code: code ?? null,
    },
  };
}
