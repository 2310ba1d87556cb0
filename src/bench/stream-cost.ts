/**
 * For the dashboard bench: what the event stream itself costs the process that serves it. A run's
 * journal events are published through the dashboard's hub, in bursts as a run appends them, to N
 * event-stream clients over real HTTP in this process (their reading counts too), and the
 * process's CPU time is taken until every client has received the last event. Unlike the loop
 * comparison, nothing else runs meanwhile, so the difference between 0 and 10 clients is not lost
 * in the noise of a two-minute run on a shared machine.
 */
import { request } from 'node:http';
import type { Config } from '../config/load.js';
import { startDashboard } from '../dashboard/server.js';
import type { ReadEvent } from '../journal/decode.js';

const TOKEN = 'bench-stream-token';
const BURST = 8;

export interface StreamCost {
  cpuMs: number;
  wallMs: number;
  /** Bytes each client received (the frames of every event). */
  bytesPerClient: number;
}

function connect(port: number, runId: string, lastSeq: number, done: () => void) {
  let received = 0;
  // The end of the previous chunk: the last event's id line may be split between two.
  let tail: Buffer = Buffer.alloc(0);
  const sse = request({
    host: '127.0.0.1',
    port,
    path: `/api/events?run=${encodeURIComponent(runId)}&after=0`,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const last = Buffer.from(`id: ${lastSeq}\n`);
  sse.on('response', (response) =>
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      const seam = Buffer.concat([tail, chunk.subarray(0, last.length)]);
      if (chunk.includes(last) || seam.includes(last)) done();
      tail = chunk.subarray(Math.max(0, chunk.length - last.length));
    }),
  );
  sse.on('error', () => undefined);
  sse.end();
  return { sse, received: () => received };
}

/** Publishes `events` (one run's) to `clients` clients; resolves when all have them. */
export async function streamCost(config: Config, events: ReadEvent[], clients: number): Promise<StreamCost> {
  const dashboard = await startDashboard({ config, host: '127.0.0.1', port: 0, token: TOKEN, env: {} });
  const runId = events[0]?.runId ?? '';
  const lastSeq = events.at(-1)?.seq ?? 0;
  dashboard.board.hub.reset(runId);
  let pending = clients;
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
    if (clients === 0) resolve();
  });
  const connections = Array.from({ length: clients }, () =>
    connect(dashboard.port, runId, lastSeq, () => {
      if (--pending === 0) allDone();
    }),
  );
  try {
    for (let i = 0; i < 200 && dashboard.board.hub.clientCount < clients; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let index = 0; index < events.length; index += BURST) {
      for (const event of events.slice(index, index + BURST)) dashboard.board.hub.publish(event);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await finished;
    const used = process.cpuUsage(cpu);
    return {
      cpuMs: (used.user + used.system) / 1000,
      wallMs: performance.now() - start,
      bytesPerClient: Math.min(...connections.map((connection) => connection.received()), Infinity),
    };
  } finally {
    for (const connection of connections) connection.sse.destroy();
    await dashboard.close();
  }
}
