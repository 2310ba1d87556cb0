/**
 * A scripted OpenAI-compatible model server on 127.0.0.1 (random port). It answers
 * `GET /v1/models` and `POST /v1/chat/completions` from a script, records every request with
 * credentials redacted, and closes promptly even while responses are stalled.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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

export async function startScriptedModel(options: ScriptedModelOptions): Promise<ScriptedModelServer> {
  const modelId = options.modelId ?? 'test-model';
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const waiters = new Set<() => void>();
  let completions = 0;

  const nextStep = async (record: RecordedRequest, index: number): Promise<ScriptStep> => {
    if (typeof options.script === 'function') return options.script(record, index);
    return options.script[index] ?? options.fallback ?? DEFAULT_FALLBACK;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const record: RecordedRequest = {
      seq: requests.length,
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      headers: redactHeaders(req),
      auth: checkAuth(req, options.apiKey),
      body: parseJson(raw),
      bodyBytes: raw.length,
      receivedAt: Date.now(),
    };
    requests.push(record);
    // 'close' fires once per response, whether it finished normally or the socket went away.
    res.once('close', () => {
      record.finishedAt = Date.now();
      record.durationMs = record.finishedAt - record.receivedAt;
    });

    if (record.auth.matched === false) {
      sendJson(res, 401, errorBody(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
      return;
    }
    if (record.method === 'GET' && record.path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: modelId, object: 'model', created: 0, owned_by: 'scripted' }],
      });
      return;
    }
    if (record.method !== 'POST' || record.path !== '/v1/chat/completions') {
      sendJson(res, 404, errorBody(404, `Unknown endpoint ${record.method} ${record.path}`));
      return;
    }

    const index = completions++;
    record.completionIndex = index;
    for (const notify of waiters) notify();

    // Aborts waits when the client hangs up before the response finished, or the server closes.
    const disconnected = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) disconnected.abort();
    });
    const step = await nextStep(record, index);
    record.stepKind = step.kind;
    await playStep(step, {
      res,
      record,
      completionIndex: index,
      modelId,
      stream: isStreamRequest(record.body),
      signal: AbortSignal.any([disconnected.signal, closing.signal]),
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, errorBody(500, `Scripted model failure: ${String(error)}`));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    modelId,
    requests,
    completionRequests: () => requests.filter((r) => r.completionIndex !== undefined),
    waitForCompletions(count, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (completions < count) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`Timed out after ${timeoutMs} ms waiting for ${count} completion request(s); got ${completions}`),
          );
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
