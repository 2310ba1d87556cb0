/** The API's answers: each takes the parsed request and returns a status and a JSON body. */
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/load.js';
import { postRequest } from '../control/inbox.js';
import { newControlId, parseControlRequest } from '../control/request.js';
import { isObject } from '../util/json.js';
import type { RunBoard, ShownRun } from './board.js';
import { iterationDiff } from './diff.js';
import { iterationPage, seriesPayload, statePayload, type RunList } from './state.js';

export interface ApiReply {
  status: number;
  body: unknown;
}

const MAX_BODY_BYTES = 16 * 1024;
const PAGE_LIMIT = 200;

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    let size = 0;
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        request.destroy();
      } else parts.push(part);
    });
    request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    request.on('error', () => resolve(undefined));
  });
}

export async function getState(board: RunBoard): Promise<ApiReply> {
  await board.shown?.ready;
  return { status: 200, body: statePayload(board.shown) };
}

export async function getSeries(board: RunBoard): Promise<ApiReply> {
  await board.shown?.ready;
  return { status: 200, body: seriesPayload(board.shown) };
}

export async function getIterations(board: RunBoard, url: URL): Promise<ApiReply> {
  const shown = board.shown;
  if (!shown) return { status: 200, body: { rows: [] } };
  await shown.ready;
  const before = Number(url.searchParams.get('before') ?? Number.MAX_SAFE_INTEGER);
  const limit = Math.min(PAGE_LIMIT, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
  return { status: 200, body: { rows: iterationPage(shown.fold, Number.isFinite(before) ? before : Infinity, limit) } };
}

export async function getIteration(board: RunBoard, url: URL, config: Config): Promise<ApiReply> {
  const shown = board.shown;
  await shown?.ready;
  const it = shown?.fold.iteration(Number(url.searchParams.get('n')));
  if (!it) return { status: 404, body: { error: 'no such iteration in the run shown' } };
  const withDiff = url.searchParams.get('diff') === '1';
  return {
    status: 200,
    body: { iteration: it, ...(withDiff ? { diff: await iterationDiff(config.repoRoot, it) } : {}) },
  };
}

export async function getRuns(runs: RunList, shown: ShownRun | undefined): Promise<ApiReply> {
  return { status: 200, body: { runs: await runs.list(shown) } };
}

/** POST /api/control: through the same inbox as the command line; 202 and the request's id. */
export async function postControl(board: RunBoard, request: IncomingMessage): Promise<ApiReply> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/json'))
    return { status: 415, body: { error: 'send the request as application/json' } };
  const text = await readBody(request);
  if (text === undefined) return { status: 413, body: { error: 'the request is too large' } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { status: 400, body: { error: 'the body is not JSON' } };
  }
  const body = isObject(value) ? value : {};
  const parsed = parseControlRequest({
    action: body.action,
    task: body.task,
    text: body.text,
    id: newControlId(),
    source: 'dashboard',
  });
  if (!parsed.ok) return { status: 400, body: { error: parsed.error } };
  const shown = board.shown;
  if (!shown?.live || !shown.inboxDir) return { status: 409, body: { error: 'no run is active' } };
  await postRequest(shown.inboxDir, parsed.request);
  return { status: 202, body: { id: parsed.request.id } };
}
