/** The dashboard's small parts: the token check, the listening address, the event stream's resume. */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { dashboardEnabled } from '../../src/cli/commands/dashboard.js';
import { authorize, sameToken } from '../../src/dashboard/auth.js';
import { EventHub } from '../../src/dashboard/hub.js';
import { dashboardUrl, isLoopback, listenNotes } from '../../src/dashboard/listen.js';
import type { ReadEvent } from '../../src/journal/decode.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config/load.js';
import { RunList } from '../../src/dashboard/state.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { tempDir } from '../helpers/temp-dir.js';

function fakeResponse() {
  const frames: string[] = [];
  /** What was handed to write(), as it was: the same object for every client, or a copy each. */
  const written: (string | Buffer)[] = [];
  const response = {
    writableLength: 0,
    writeHead: () => response,
    write: (frame: string | Buffer) => {
      written.push(frame);
      return frames.push(String(frame));
    },
    on: () => response,
    end: () => undefined,
    destroy: () => undefined,
  };
  return { response: response as unknown as ServerResponse, frames, written };
}

const event = (seq: number, runId = 'r1') =>
  ({ v: 1, runId, at: '', seq, type: 'warning', message: `m${seq}` }) as ReadEvent;

describe('the token', () => {
  it('is compared whole, whatever its length', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abd', 'abc')).toBe(false);
    expect(sameToken('abcd', 'abc')).toBe(false);
    expect(sameToken('', 'abc')).toBe(false);
  });

  it('is accepted from the query, a bearer header or the cookie of this port only', () => {
    const request = (headers: Record<string, string>) => ({ headers }) as never;
    const url = (query = '') => new URL(`http://x/api/state${query}`);
    expect(authorize(request({}), url('?token=t0k'), 't0k', 4317)).toEqual({ ok: true, fromQuery: true });
    expect(authorize(request({ authorization: 'Bearer t0k' }), url(), 't0k', 4317)).toEqual({
      ok: true,
      fromQuery: false,
    });
    expect(authorize(request({ cookie: 'a=b; pi_harness_4317=t0k' }), url(), 't0k', 4317).ok).toBe(true);
    expect(authorize(request({ cookie: 'pi_harness_4318=t0k' }), url(), 't0k', 4317).ok).toBe(false);
    expect(authorize(request({ authorization: 'Bearer t0k' }), url('?token=bad'), 't0k', 4317).ok).toBe(false);
  });
});

describe('where the dashboard listens', () => {
  it('names the address a browser can open, and warns about a host others can reach', () => {
    expect(dashboardUrl('127.0.0.1', 4318, 'a b', {})).toBe('http://127.0.0.1:4318/?token=a%20b');
    expect(dashboardUrl('0.0.0.0', 4317, 't', { SSH_CONNECTION: '10.0.0.9 5555 192.168.1.20 22' })).toBe(
      'http://192.168.1.20:4317/?token=t',
    );
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(listenNotes('0.0.0.0', 4317, {})[0]).toMatch(/^warning: .*anyone who can reach/);
    expect(listenNotes('127.0.0.1', 4317, { SSH_CONNECTION: 'a b c d' })[0]).toContain('ssh -L 4317:127.0.0.1:4317');
  });
});

describe('the event stream', () => {
  it('sends each event with its sequence number as id; a reconnect gets only what it missed', () => {
    let seq = 0;
    const hub = new EventHub(() => seq);
    hub.reset('r1');
    for (seq = 1; seq <= 3; seq++) hub.publish(event(seq));
    seq = 3;
    const { response, frames } = fakeResponse();
    hub.attach(response, 'r1', 1);
    expect(frames.filter((frame) => frame.startsWith('id:')).map((frame) => frame.split('\n')[0])).toEqual([
      'id: 2',
      'id: 3',
    ]);
    hub.publish(event(4));
    hub.flush();
    expect(frames.at(-1)).toMatch(/^id: 4\ndata: \{.*"m4"/);
    hub.publish(event(5, 'another run'));
    hub.flush();
    expect(frames.at(-1)).toMatch(/^id: 4/);
    hub.close();
  });

  it('writes a burst of events to every client once, as the same bytes, each event once', async () => {
    let seq = 0;
    const hub = new EventHub(() => seq);
    hub.reset('r1');
    const clients = Array.from({ length: 10 }, () => fakeResponse());
    for (const client of clients) hub.attach(client.response, 'r1', 0);
    const before = clients.map((client) => client.frames.length);
    for (seq = 1; seq <= 50; seq++) hub.publish(event(seq));
    const late = fakeResponse(); // attaches mid-burst: the buffer brings it up to date, nothing twice
    hub.attach(late.response, 'r1', 0);
    for (; seq <= 60; seq++) hub.publish(event(seq));
    await new Promise((resolve) => setImmediate(resolve));
    const written = clients.map((client, index) => client.frames.slice(before[index]));
    for (const frames of written) expect(frames).toEqual([written[0]![0], written[0]![1]]);
    // Encoded once for all: every client is handed the very same buffer.
    const handed = clients.map((client, index) => client.written.slice(before[index]));
    for (const objects of handed)
      for (const [index, object] of objects.entries()) expect(object).toBe(handed[0]![index]);
    expect(Buffer.isBuffer(handed[0]![0])).toBe(true);
    const ids = (frames: string[]) => [...frames.join('').matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    expect(ids(written[0]!)).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
    expect(ids(late.frames)).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
    hub.close();
  });

  it('tells a client of another run, or one further behind than the buffer, to reset', () => {
    const hub = new EventHub(() => 900);
    hub.reset('r1');
    const other = fakeResponse();
    hub.attach(other.response, 'r0', 10);
    expect(other.frames.at(-1)).toContain('event: reset');
    const behind = fakeResponse();
    hub.attach(behind.response, 'r1', 10); // the fold is at 900; this server never buffered 11…900
    expect(behind.frames.at(-1)).toContain('event: reset');
    hub.close();
  });
});

describe('whether a run serves the dashboard', () => {
  it('is on for run and off for once by default; the config, then the flag, decide otherwise', () => {
    expect(dashboardEnabled('run', undefined, undefined)).toBe(true);
    expect(dashboardEnabled('once', undefined, undefined)).toBe(false);
    expect(dashboardEnabled('run', false, undefined)).toBe(false);
    expect(dashboardEnabled('once', true, undefined)).toBe(true);
    expect(dashboardEnabled('run', true, false)).toBe(false); // --no-dashboard
    expect(dashboardEnabled('once', false, true)).toBe(true); // --dashboard
  });
});

describe('the list of runs', () => {
  it('summarises the run the board shows from its fold, not by reading its journal again', async () => {
    const root = await tempDir();
    const journal = path.join(root, 'runs', 'r1', 'journal.jsonl');
    mkdirSync(path.dirname(journal), { recursive: true });
    writeFileSync(journal, `${JSON.stringify({ v: 1, runId: 'r1', at: '2026-01-01T00:00:00Z', seq: 1, type: 'x' })}\n`);
    const list = new RunList({ piRuntimeDir: root } as Config);
    const fold = new JournalFold();
    fold.run.ended = 7; // only the board's fold says so; the journal on disk holds no iteration
    const shown = { runId: 'r1', journal, fold, live: true, inboxDir: null, ready: Promise.resolve() };
    expect((await list.list(shown)).map((run) => run.iterations)).toEqual([7]);
    expect((await list.list()).map((run) => run.iterations)).toEqual([0]);
  });
});
