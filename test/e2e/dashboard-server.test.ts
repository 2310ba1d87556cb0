/**
 * The dashboard server's door: the token on every request (401 and nothing else without it), the
 * cookie it leaves, the URL line printed — unredacted even when the token is the value of a *_TOKEN
 * variable — and written nowhere else; and `demo --dashboard`, which keeps serving until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { DEMO_TASKS } from '../../src/demo/project.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { closedAfterEach } from '../helpers/closing.js';
import { tempDir } from '../helpers/temp-dir.js';
import { journalEvents } from './control-helpers.js';
import { loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);
const TOKEN = 'Sekret-Dashboard-Token-42';
const BUILT_CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

interface Frame {
  id?: number;
  event?: string;
  data?: string;
}

/** Reads the event stream until `done` says so or `ms` pass; its frames, parsed (comments dropped). */
async function readStream(
  url: string,
  headers: Record<string, string>,
  done: (frames: Frame[]) => boolean,
  ms: number,
) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  const frames: Frame[] = [];
  let text = '';
  try {
    const response = await fetch(url, { headers, signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    while (!done(frames)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += Buffer.from(value).toString('utf8');
      let end = text.indexOf('\n\n');
      while (end >= 0) {
        const frame: Frame = {};
        for (const line of text.slice(0, end).split('\n')) {
          const [field, ...rest] = line.split(': ');
          if (field === 'id') frame.id = Number(rest.join(': '));
          if (field === 'event' || field === 'data') frame[field] = rest.join(': ');
        }
        if (frame.id !== undefined || frame.event || frame.data) frames.push(frame);
        text = text.slice(end + 2);
        end = text.indexOf('\n\n');
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return frames;
}

describe('the dashboard server', () => {
  it('answers 401 with nothing else without the token; the token opens it as query, cookie or bearer', async () => {
    const r = await setup({ tasks: '- [ ] A task\n', plans: {} });
    const { config } = await loadConfig({ repoRoot: r.repo, cwd: r.repo, env: {} });
    const dashboard = await startDashboard({ config, host: '127.0.0.1', port: 0, token: TOKEN, env: {} });
    try {
      const base = `http://127.0.0.1:${dashboard.port}`;
      for (const [url, headers] of [
        [`${base}/api/state`, {}],
        [`${base}/`, {}],
        [`${base}/assets/app.js`, {}],
        [`${base}/api/events`, {}],
        [`${base}/api/state?token=wrong`, {}],
        [`${base}/api/state`, { authorization: 'Bearer wrong' }],
        [`${base}/api/state`, { cookie: `pi_harness_${dashboard.port}=wrong` }],
      ] as const) {
        const response = await fetch(url, { headers });
        expect(response.status, url).toBe(401);
        expect(await response.text()).toBe('');
      }
      const posted = await fetch(`${base}/api/control`, { method: 'POST', body: '{"action":"stop"}' });
      expect(posted.status).toBe(401);

      const bearer = await fetch(`${base}/api/state`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(bearer.status).toBe(200);
      expect(await bearer.json()).toMatchObject({ runId: null, controllable: false });
      const login = await fetch(`${base}/?token=${TOKEN}`, { redirect: 'manual' });
      expect(login.status).toBe(303);
      const cookie = login.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      const page = await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0]! } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('/assets/app.js');
      const noRun = await fetch(`${base}/api/control`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{"action":"pause"}',
      });
      expect(noRun.status).toBe(409);
    } finally {
      await dashboard.close();
    }
  });

  it('streams journal events as they come, by sequence number; a reconnect gets only what it missed', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: '- [ ] Write a file\n',
      plans: { developer: [[write('a.txt', 'a\n'), say('Done.')]], tester: [[say('VERDICT: PASS')]] },
    });
    const { config } = await loadConfig({ repoRoot: r.repo, cwd: r.repo, env: {} });
    const dashboard = await startDashboard({ config, host: '127.0.0.1', port: 0, token: TOKEN, env: {} });
    try {
      await dashboard.board.follow();
      const events = `http://127.0.0.1:${dashboard.port}/api/events`;
      const auth = { authorization: `Bearer ${TOKEN}` };
      const ended = (frames: Frame[]) => frames.some((frame) => frame.data?.includes('"type":"run_end"'));
      const live = readStream(events, auth, ended, 60_000);
      expect((await r.run('once')).code).toBe(0);
      const frames = await live;
      expect(ended(frames)).toBe(true);
      // The run the dashboard picked up: a reset naming it, then one frame per journal event, in order.
      expect(frames[0]?.event).toBe('reset');
      const sent = frames.slice(1);
      expect(sent.length).toBeGreaterThan(5);
      const journal = journalEvents(r.repo);
      for (const [i, frame] of sent.entries()) {
        const event = JSON.parse(frame.data!) as { seq: number; type: string };
        expect(frame.id).toBe(event.seq);
        if (i > 0) expect(frame.id).toBe(sent[i - 1]!.id! + 1);
        expect(journal.find((line) => line.seq === event.seq)).toEqual(event);
      }
      const last = sent.at(-1)!.id!;
      expect(last).toBe(journal.at(-1)!.seq);

      // Reconnecting with Last-Event-ID: exactly the events after it, no reset, no snapshot.
      const resumed = await readStream(
        events,
        { ...auth, 'last-event-id': String(last - 3) },
        (f) => f.length >= 3,
        5000,
      );
      expect(resumed.map((frame) => frame.id)).toEqual([last - 2, last - 1, last]);
      const caughtUp = await readStream(events, { ...auth, 'last-event-id': String(last) }, () => false, 1500);
      expect(caughtUp).toEqual([]);
      const fresh = await readStream(events, auth, () => false, 1500);
      expect(fresh).toEqual([]);
    } finally {
      await dashboard.close();
    }
  });

  it('prints the URL with the token on one line, unredacted, and writes the token nowhere', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: '- [ ] Write a file\n',
      plans: { developer: [[write('a.txt', 'a\n'), say('Done.')]], tester: [[say('VERDICT: PASS')]] },
    });
    // PI_HARNESS_DASHBOARD_TOKEN is a *_TOKEN variable: the run redacts its value everywhere else.
    const result = await r.run('once', {
      PI_VISUALIZER: '1',
      PI_VISUALIZER_PORT: '0',
      PI_HARNESS_DASHBOARD_TOKEN: TOKEN,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => line.includes(TOKEN));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^dashboard: http://127\\.0\\.0\\.1:\\d+/\\?token=${TOKEN}$`));
    const written = [...filesUnder(path.join(r.repo, '.pi-harness')), ...filesUnder(path.join(r.repo, '.git'))];
    expect(written.length).toBeGreaterThan(5);
    for (const file of written) {
      if (statSync(file).size > 20 * 1024 * 1024) continue;
      expect(readFileSync(file, 'latin1').includes(TOKEN), file).toBe(false);
    }
  });

  it('demo --dashboard serves the whole demo and keeps serving after it until Ctrl-C', {
    timeout: 180_000,
  }, async () => {
    const dir = await tempDir('pi-harness-demo-dashboard-');
    const child = spawn(process.execPath, [BUILT_CLI, 'demo', '--dir', dir, '--dashboard'], {
      cwd: dir,
      env: { ...process.env, PI_HARNESS_DASHBOARD_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 1500 && !output.includes('keeps serving'); i++) await sleep(100);
      expect(output).toContain("The dashboard keeps serving the demo's run");
      const url = /dashboard: (http:\/\/\S+)/.exec(output)?.[1];
      expect(url).toBeDefined();
      const state = await fetch(new URL('/api/state', url), { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await state.json()) as { fold: { run: { finished: boolean; succeeded: number } } };
      expect(body.fold.run).toMatchObject({ finished: true, succeeded: DEMO_TASKS.length });
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
