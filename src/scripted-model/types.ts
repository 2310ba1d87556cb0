/**
 * Types of the scripted OpenAI-compatible model server. The server stands in for a real model
 * endpoint so that the real `pi` can be driven end to end without network access: each
 * chat-completions request pi sends is answered by the next scripted step.
 */

/** Token counts a step reports. Missing fields fall back to the deterministic defaults. */
export interface UsageOverride {
  /** Uncached prompt tokens (pi's `usage.input`). */
  input?: number;
  /** Completion tokens (pi's `usage.output`). */
  output?: number;
  /** Cached prompt tokens (pi's `usage.cacheRead`). */
  cacheRead?: number;
}

/** The usage the server actually reported for one completion, as pi will account it. */
export interface ReportedUsage {
  input: number;
  output: number;
  cacheRead: number;
}

interface StepBase {
  /** Wait this long after receiving the request before answering (simulated latency). */
  delayMs?: number;
  /** Override the reported token usage for this completion. */
  usage?: UsageOverride;
}

/** Assistant text; finishes with `stop` (or the given finish reason). */
export interface TextStep extends StepBase {
  kind: 'text';
  /** The whole text, or explicit chunks that are streamed one delta each. */
  text: string | readonly string[];
  /** Pause between streamed chunks. */
  chunkDelayMs?: number;
  finishReason?: 'stop' | 'length';
  /**
   * Reasoning streamed before the text, one `delta.reasoning_content` chunk per piece (the
   * llama.cpp / DeepSeek field pi's openai-completions provider reads), `chunkDelayMs` apart.
   */
  reasoning?: readonly string[];
}

export interface ScriptedToolCall {
  name: string;
  /** Tool arguments; an object is JSON-encoded, a string is sent verbatim (to test bad JSON). */
  arguments: Record<string, unknown> | string;
  /** Defaults to a deterministic `call_<completion>_<n>`. */
  id?: string;
}

/** One or more tool calls, optionally preceded by text; finishes with `tool_calls`. */
export interface ToolCallsStep extends StepBase {
  kind: 'tool_calls';
  calls: readonly ScriptedToolCall[];
  text?: string;
}

/**
 * Accept the request and stay silent. Ends early when the client disconnects or the server
 * closes. Without `then`, the connection is dropped once the time is up (a dead upstream).
 */
export interface StallStep extends StepBase {
  kind: 'stall';
  seconds: number;
  /**
   * `silent`: not even response headers. `headers`: 200 + SSE headers, then nothing.
   * `empty_chunk`: headers and one chunk with an empty assistant delta, then nothing.
   */
  mode?: 'silent' | 'headers' | 'empty_chunk';
  /** Continue with this step once the stall is over (must not be another stall). */
  then?: Exclude<ScriptStep, StallStep>;
}

/** Keeps streaming small text deltas until the client disconnects or the server closes. */
export interface StreamForeverStep extends StepBase {
  kind: 'stream_forever';
  /** Default 100 ms. */
  intervalMs?: number;
  /** The delta sent each tick; default ".". */
  delta?: string;
}

/** An OpenAI-style JSON error response. */
export interface HttpErrorStep extends StepBase {
  kind: 'http_error';
  status: number;
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
  headers?: Record<string, string>;
  message?: string;
  /** OpenAI error `type`; defaults by status (e.g. `rate_limit_exceeded` style). */
  type?: string;
  code?: string | null;
  /** Replaces the whole JSON body when given. */
  body?: unknown;
}

export type ScriptStep = TextStep | ToolCallsStep | StallStep | StreamForeverStep | HttpErrorStep;
export type ScriptStepKind = ScriptStep['kind'];

export interface RecordedAuth {
  /** Whether an `Authorization` header was sent at all. */
  present: boolean;
  /** Whether it equals `Bearer <apiKey>`; `null` when the server expects no key. */
  matched: boolean | null;
}

/** Everything the server saw of one HTTP request (secrets redacted). */
export interface RecordedRequest {
  /** Position among all requests the server received (0-based). */
  seq: number;
  method: string;
  /** The path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names; `authorization` and other credential headers are redacted. */
  headers: Record<string, string>;
  auth: RecordedAuth;
  /** The parsed JSON body, or `undefined` when there was none or it was not JSON. */
  body: unknown;
  /** Length of the raw body in bytes. */
  bodyBytes: number;
  /** When the whole request body had arrived (epoch ms). */
  receivedAt: number;
  /**
   * When the response was over (epoch ms): fully written, or the connection closed (a stall, a
   * disconnect, server close). Unset while the response is still in progress. Together with
   * `receivedAt` this is the time the "model" held the request, which benchmarks subtract from
   * wall time to find the harness's own overhead.
   */
  finishedAt?: number;
  /** `finishedAt - receivedAt`, set with `finishedAt`. */
  durationMs?: number;
  /** For chat completions that passed auth: the 0-based completion index (script position). */
  completionIndex?: number;
  /** The kind of step that answered a chat completion. */
  stepKind?: ScriptStepKind;
  /** The usage reported in the response, when the step reported one. */
  usage?: ReportedUsage;
}

export type ScriptFunction = (request: RecordedRequest, index: number) => ScriptStep | Promise<ScriptStep>;

export interface ScriptedModelOptions {
  /** Steps consumed in order, or a function choosing a step per chat-completions request. */
  script: readonly ScriptStep[] | ScriptFunction;
  /** Answer used once an array script is exhausted; default `{ kind: 'text', text: 'done' }`. */
  fallback?: ScriptStep;
  /** The model id reported by `/v1/models` and in chunks; default `test-model`. */
  modelId?: string;
  /** When set, every request must carry `Authorization: Bearer <apiKey>` or gets a 401. */
  apiKey?: string;
}

export interface ScriptedModelServer {
  /** E.g. `http://127.0.0.1:43567/v1`. */
  readonly baseUrl: string;
  readonly modelId: string;
  /** Every request received, in arrival order (live array). */
  readonly requests: RecordedRequest[];
  /** Chat-completions requests that passed auth, in order. */
  completionRequests(): RecordedRequest[];
  /**
   * Resolves once at least `count` chat-completions requests have arrived (answered or not);
   * rejects after `timeoutMs` (default 10 s). Lets a test act while pi waits on a stall.
   */
  waitForCompletions(count: number, timeoutMs?: number): Promise<void>;
  /** Stops listening and destroys every socket, including those held open by stalls. */
  close(): Promise<void>;
}
