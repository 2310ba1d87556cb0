/**
 * Plays one script step onto an HTTP response, streaming (SSE) or not. Every wait is abortable:
 * the signal fires when the client disconnects or the server closes, so stalls and endless
 * streams never keep a test (or a socket) alive.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChunkBuilder, computeUsage, errorBody, splitInPieces, toWireToolCalls } from './openai-format.js';
import type {
  HttpErrorStep,
  RecordedRequest,
  ScriptStep,
  StallStep,
  StreamForeverStep,
  TextStep,
  ToolCallsStep,
} from './types.js';

export interface StepContext {
  res: ServerResponse;
  record: RecordedRequest;
  completionIndex: number;
  modelId: string;
  /** Whether the request asked for `stream: true`. */
  stream: boolean;
  /** Fires when the client went away or the server is closing. */
  signal: AbortSignal;
}

/** Waits `ms`; returns false when the signal fired first. */
async function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  return sleep(ms, true, { signal }).catch(() => false);
}

function startSse(res: ServerResponse): void {
  if (res.headersSent) return;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
}

function sendEvent(res: ServerResponse, payload: unknown): void {
  if (!res.destroyed) res.write(`data: ${JSON.stringify(payload)}\n\n`);
}

function endSse(res: ServerResponse): void {
  if (!res.destroyed) res.end('data: [DONE]\n\n');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function playText(step: TextStep, ctx: StepContext): Promise<void> {
  const pieces = typeof step.text === 'string' ? [step.text] : [...step.text];
  const fullText = pieces.join('');
  const usage = computeUsage(ctx.record.bodyBytes, fullText.length, step.usage);
  ctx.record.usage = usage;
  const chunks = new ChunkBuilder(ctx.modelId, ctx.completionIndex);
  const finish = step.finishReason ?? 'stop';
  if (!ctx.stream) {
    sendJson(ctx.res, 200, chunks.completion(fullText, [], finish, usage));
    return;
  }
  startSse(ctx.res);
  sendEvent(ctx.res, chunks.role());
  for (const [i, piece] of (step.reasoning ?? []).entries()) {
    if (i > 0 && !(await wait(step.chunkDelayMs ?? 0, ctx.signal))) return;
    sendEvent(ctx.res, chunks.reasoning(piece));
  }
  for (const [i, piece] of pieces.entries()) {
    if (i > 0 && !(await wait(step.chunkDelayMs ?? 0, ctx.signal))) return;
    if (piece.length > 0) sendEvent(ctx.res, chunks.text(piece));
  }
  sendEvent(ctx.res, chunks.finish(finish));
  sendEvent(ctx.res, chunks.usage(usage));
  endSse(ctx.res);
}

async function playToolCalls(step: ToolCallsStep, ctx: StepContext): Promise<void> {
  const calls = toWireToolCalls(step.calls, ctx.completionIndex);
  const outputChars = (step.text?.length ?? 0) + calls.reduce((sum, c) => sum + c.name.length + c.arguments.length, 0);
  const usage = computeUsage(ctx.record.bodyBytes, outputChars, step.usage);
  ctx.record.usage = usage;
  const chunks = new ChunkBuilder(ctx.modelId, ctx.completionIndex);
  if (!ctx.stream) {
    sendJson(ctx.res, 200, chunks.completion(step.text ?? null, calls, 'tool_calls', usage));
    return;
  }
  startSse(ctx.res);
  sendEvent(ctx.res, chunks.role());
  if (step.text) sendEvent(ctx.res, chunks.text(step.text));
  for (const [index, call] of calls.entries()) {
    sendEvent(ctx.res, chunks.toolCallStart(index, call));
    // Arguments arrive in two fragments, like real models, so pi's partial-JSON path is used.
    for (const fragment of splitInPieces(call.arguments, 2)) {
      sendEvent(ctx.res, chunks.toolCallArguments(index, fragment));
    }
  }
  sendEvent(ctx.res, chunks.finish('tool_calls'));
  sendEvent(ctx.res, chunks.usage(usage));
  endSse(ctx.res);
}

async function playStall(step: StallStep, ctx: StepContext): Promise<void> {
  const mode = step.mode ?? 'silent';
  if (mode !== 'silent') {
    if (ctx.stream) startSse(ctx.res);
    else if (!ctx.res.headersSent) {
      ctx.res.writeHead(200, { 'content-type': 'application/json' });
      ctx.res.flushHeaders();
    }
  }
  if (mode === 'empty_chunk' && ctx.stream) {
    sendEvent(ctx.res, new ChunkBuilder(ctx.modelId, ctx.completionIndex).role());
  }
  const elapsed = await wait(step.seconds * 1000, ctx.signal);
  const next = step.then;
  // An error status can no longer be sent once headers are out: drop the connection instead.
  if (!elapsed || next === undefined || (next.kind === 'http_error' && ctx.res.headersSent)) {
    ctx.res.destroy();
    return;
  }
  await playStep(next, ctx);
}

async function playStreamForever(step: StreamForeverStep, ctx: StepContext): Promise<void> {
  const chunks = new ChunkBuilder(ctx.modelId, ctx.completionIndex);
  if (ctx.stream) {
    startSse(ctx.res);
    sendEvent(ctx.res, chunks.role());
  }
  while (await wait(step.intervalMs ?? 100, ctx.signal)) {
    if (ctx.stream) sendEvent(ctx.res, chunks.text(step.delta ?? '.'));
  }
  ctx.res.destroy();
}

function playHttpError(step: HttpErrorStep, ctx: StepContext): void {
  const message = step.message ?? `Scripted error ${step.status}`;
  sendJson(ctx.res, step.status, step.body ?? errorBody(step.status, message, step.type, step.code), step.headers);
}

/** Plays `step` after its optional `delayMs`. Never throws for client disconnects. */
export async function playStep(step: ScriptStep, ctx: StepContext): Promise<void> {
  if (step.delayMs !== undefined && !(await wait(step.delayMs, ctx.signal))) {
    ctx.res.destroy();
    return;
  }
  switch (step.kind) {
    case 'text':
      return playText(step, ctx);
    case 'tool_calls':
      return playToolCalls(step, ctx);
    case 'stall':
      return playStall(step, ctx);
    case 'stream_forever':
      return playStreamForever(step, ctx);
    case 'http_error':
      return playHttpError(step, ctx);
  }
}
