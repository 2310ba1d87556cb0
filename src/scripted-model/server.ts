/**
 * A scripted OpenAI-compatible model server on 127.0.0.1 (random port). It answers
 * `GET /v1/models` and `POST /v1/chat/completions` from a script, records every request with
 * credentials redacted, and closes promptly even while responses are stalled.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { loadHttp } from '../util/lazy-http.js';
import type { AddressInfo, Socket } from 'node:net';
import { isObject } from '../util/json.js';
import { errorBody } from './openai-format.js';
import { playStep } from './respond.js';
import type { RecordedAuth, RecordedRequest, ScriptStep, ScriptedModelOptions, ScriptedModelServer } from './types.js';

const DEFAULT_FALLBACK: ScriptStep = { kind: 'text', text: 'done' };
/** Headers whose values are credentials and must never be kept in recordings. */
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'proxy-authorization']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function redactHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (!SECRET_HEADERS.has(name)) headers[name] = text;
    else headers[name] = name === 'authorization' && /^bearer /i.test(text) ? 'Bearer <redacted>' : '<redacted>';
  }
  return headers;
}

function checkAuth(req: IncomingMessage, apiKey: string | undefined): RecordedAuth {
  const header = req.headers.authorization;
  return {
    present: header !== undefined && header.length > 0,
    matched: apiKey === undefined ? null : header === `Bearer ${apiKey}`,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function isStreamRequest(body: unknown): boolean {
  return isObject(body) && body.stream === true;
}

/** Counts chat-completions requests and wakes whoever waits for a number of them. */
class CompletionCounter {
  count = 0;
  private readonly waiters = new Set<() => void>();

  /** Counts one more request; returns its index. */
  next(): number {
    const index = this.count++;
    for (const notify of this.waiters) notify();
    return index;
  }

  waitFor(count: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.count < count) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        const got = `got ${this.count}`;
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${count} completion request(s); ${got}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

function recordRequest(req: IncomingMessage, raw: Buffer, seq: number, apiKey: string | undefined): RecordedRequest {
  return {
    seq,
    method: req.method ?? 'GET',
    path: (req.url ?? '/').split('?')[0] ?? '/',
    headers: redactHeaders(req),
    auth: checkAuth(req, apiKey),
    body: parseJson(raw),
    bodyBytes: raw.length,
    receivedAt: Date.now(),
  };
}

/** Answers everything but an authorised chat completion; false when the request is one. */
function answerOtherRequest(record: RecordedRequest, res: ServerResponse, modelId: string): boolean {
  if (record.auth.matched === false) {
    sendJson(res, 401, errorBody(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
    return true;
  }
  if (record.method === 'GET' && record.path === '/v1/models') {
    sendJson(res, 200, {
      object: 'list',
      data: [{ id: modelId, object: 'model', created: 0, owned_by: 'scripted' }],
    });
    return true;
  }
  if (record.method !== 'POST' || record.path !== '/v1/chat/completions') {
    sendJson(res, 404, errorBody(404, `Unknown endpoint ${record.method} ${record.path}`));
    return true;
  }
  return false;
}

/** The server's shared state: what it recorded, how many completions it saw, whether it is closing. */
class ScriptedModel {
  readonly options: ScriptedModelOptions;
  readonly modelId: string;
  readonly requests: RecordedRequest[] = [];
  readonly completions = new CompletionCounter();
  readonly closing = new AbortController();

  constructor(options: ScriptedModelOptions) {
    this.options = options;
    this.modelId = options.modelId ?? 'test-model';
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const record = recordRequest(req, raw, this.requests.length, this.options.apiKey);
    this.requests.push(record);
    // 'close' fires once per response, whether it finished normally or the socket went away.
    res.once('close', () => {
      record.finishedAt = Date.now();
      record.durationMs = record.finishedAt - record.receivedAt;
    });
    if (answerOtherRequest(record, res, this.modelId)) return;

    const index = this.completions.next();
    record.completionIndex = index;
    // Aborts waits when the client hangs up before the response finished, or the server closes.
    const disconnected = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) disconnected.abort();
    });
    const step = await this.nextStep(record, index);
    record.stepKind = step.kind;
    await playStep(step, {
      res,
      record,
      completionIndex: index,
      modelId: this.modelId,
      stream: isStreamRequest(record.body),
      signal: AbortSignal.any([disconnected.signal, this.closing.signal]),
    });
  }

  private async nextStep(record: RecordedRequest, index: number): Promise<ScriptStep> {
    const script = this.options.script;
    if (typeof script === 'function') return script(record, index);
    return script[index] ?? this.options.fallback ?? DEFAULT_FALLBACK;
  }
}

function listen(server: Server): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startScriptedModel(options: ScriptedModelOptions): Promise<ScriptedModelServer> {
  const model = new ScriptedModel(options);
  const sockets = new Set<Socket>();
  const { createServer } = await loadHttp();
  const server = createServer((req, res) => {
    model.handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, errorBody(500, `Scripted model failure: ${String(error)}`));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);

  let closed: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    modelId: model.modelId,
    requests: model.requests,
    completionRequests: () => model.requests.filter((r) => r.completionIndex !== undefined),
    waitForCompletions: (count, timeoutMs = 10_000) => model.completions.waitFor(count, timeoutMs),
    close() {
      closed ??= new Promise<void>((resolve) => {
        model.closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
