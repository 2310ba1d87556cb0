/**
 * For the dashboard bench: the dashboard served during a bench run with N event-stream clients
 * connected (as N open pages would be), each counting what it receives.
 */
import { request, type ClientRequest } from 'node:http';
import type { Config } from '../config/load.js';
import { startDashboard } from '../dashboard/server.js';
import type { LiveRun } from '../loop/run-loop.js';

const TOKEN = 'bench-dashboard-token';

export async function watchWithDashboard(config: Config, clients: number) {
  const dashboard = await startDashboard({ config, host: '127.0.0.1', port: 0, token: TOKEN, env: {} });
  const bytes = Array.from({ length: clients }, () => 0);
  const requests: ClientRequest[] = [];
  const connect = (runId: string) => {
    for (let index = 0; index < clients; index++) {
      const path = `/api/events?run=${encodeURIComponent(runId)}&after=0`;
      const sse = request({
        host: '127.0.0.1',
        port: dashboard.port,
        path,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      sse.on('response', (response) => response.on('data', (chunk: Buffer) => (bytes[index]! += chunk.length)));
      sse.on('error', () => undefined);
      sse.end();
      requests.push(sse);
    }
  };
  return {
    bytes,
    attach: (live: LiveRun) => {
      dashboard.board.attachLive(live);
      connect(live.runId);
    },
    close: async () => {
      for (const sse of requests) sse.destroy();
      await dashboard.close();
    },
  };
}
