/**
 * The dashboard's HTTP server (Node's own http module): the page, its API and the event stream,
 * every request behind the token (auth.ts). One per process; `visualize`, `run` and `once
 * --dashboard` start it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadHttp } from '../util/lazy-http.js';
import type { Config } from '../config/load.js';
import { errorMessage } from '../util/errors.js';
import { getIteration, getIterations, getRuns, getSeries, getState, postControl, type ApiReply } from './api.js';
import { readAsset } from './assets.js';
import { authorize, sessionCookie } from './auth.js';
import { RunBoard } from './board.js';
import { dashboardUrl, listenNear, listenNotes } from './listen.js';
import { RunList } from './state.js';

export interface DashboardOptions {
  config: Config;
  host: string;
  port: number;
  token: string;
  env: NodeJS.ProcessEnv;
}

export interface Dashboard {
  /** `http://HOST:PORT/?token=TOKEN`: print it to the terminal, nowhere else. */
  url: string;
  port: number;
  /** Lines to print before the URL (a warning for a reachable host, a tunnel hint over SSH). */
  notes: string[];
  board: RunBoard;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, reply: ApiReply, extra: Record<string, string> = {}): void {
  send(res, reply.status, JSON.stringify(reply.body), 'application/json; charset=utf-8', extra);
}

interface Context {
  config: Config;
  board: RunBoard;
  runs: RunList;
}

async function api(context: Context, request: IncomingMessage, url: URL): Promise<ApiReply | undefined> {
  const { board } = context;
  const get = request.method === 'GET';
  switch (url.pathname) {
    case '/api/state':
      return get ? getState(board) : undefined;
    case '/api/series':
      return get ? getSeries(board) : undefined;
    case '/api/iterations':
      return get ? getIterations(board, url) : undefined;
    case '/api/iteration':
      return get ? getIteration(board, url, context.config) : undefined;
    case '/api/runs':
      return get ? getRuns(context.runs, board.shown) : undefined;
    case '/api/control':
      return request.method === 'POST' ? postControl(board, request) : undefined;
    default:
      return undefined;
  }
}

function streamEvents(board: RunBoard, request: IncomingMessage, url: URL, res: ServerResponse): void {
  const header = request.headers['last-event-id'];
  const after = Number(typeof header === 'string' ? header : (url.searchParams.get('after') ?? Number.NaN));
  board.hub.attach(res, url.searchParams.get('run'), Number.isFinite(after) ? after : null);
}

async function handle(context: Context, token: string, port: number, request: IncomingMessage, res: ServerResponse) {
  const url = new URL(request.url ?? '/', 'http://dashboard');
  const auth = authorize(request, url, token, port);
  if (!auth.ok) {
    res.writeHead(401, { 'content-length': '0' });
    res.end();
    return;
  }
  const cookie: Record<string, string> = auth.fromQuery ? { 'set-cookie': sessionCookie(token, port) } : {};
  if (auth.fromQuery && request.method === 'GET' && url.pathname === '/') {
    // The token moves into the cookie and out of the address bar (and the browser's history).
    res.writeHead(303, { ...cookie, location: '/' });
    res.end();
    return;
  }
  if (url.pathname === '/api/events' && request.method === 'GET') return streamEvents(context.board, request, url, res);
  const reply = await api(context, request, url);
  if (reply) return sendJson(res, reply, cookie);
  const name = url.pathname === '/' ? 'index.html' : url.pathname.startsWith('/assets/') ? url.pathname.slice(8) : '';
  const asset = request.method === 'GET' && name ? await readAsset(name) : undefined;
  if (asset) return send(res, 200, asset.body, asset.type, cookie);
  sendJson(res, { status: 404, body: { error: 'not found' } });
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const board = new RunBoard(options.config);
  const context: Context = { config: options.config, board, runs: new RunList(options.config) };
  let port = options.port;
  const { createServer } = await loadHttp();
  const server = createServer((request, res) => {
    handle(context, options.token, port, request, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, { status: 500, body: { error: errorMessage(error) } });
      else res.end();
    });
  });
  port = await listenNear(server, options.host, options.port);
  return {
    url: dashboardUrl(options.host, port, options.token, options.env),
    port,
    notes: listenNotes(options.host, port, options.env),
    board,
    close: async () => {
      board.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
