/**
 * The event stream of the dashboard (`GET /api/events`, server-sent events): every journal event of
 * the run shown, once, as it is appended, with its sequence number as the SSE `id`. A client that
 * reconnects (`Last-Event-ID`) gets what it missed from a buffer of recent events; one that missed
 * more than the buffer holds, or follows another run, is told to `reset` (fetch /api/state again).
 * Increments only: no snapshot is ever pushed on a timer, only a comment line to keep proxies open.
 * Each event is serialised once; the frames of a burst (a turn appends several events at once) go
 * out together, on the next turn of the event loop, as one write to every client of the same bytes
 * (encoded once, not once per client).
 */
import type { ServerResponse } from 'node:http';
import type { ReadEvent } from '../journal/decode.js';

const BUFFERED_EVENTS = 5000;
const HEARTBEAT_MS = 15_000;
/** A client this far behind (bytes queued) is dropped; it reconnects and resumes from its last id. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

interface Buffered {
  seq: number;
  frame: string;
}

export class EventHub {
  private runId = '';
  private buffer: Buffered[] = [];
  private readonly clients = new Set<ServerResponse>();
  /** Frames published and not yet written to the clients. */
  private pending = '';
  private flushScheduled = false;
  private readonly heartbeat: NodeJS.Timeout;
  /** The sequence number the shown run's fold has reached (what a client must have caught up to). */
  private readonly currentSeq: () => number;

  constructor(currentSeq: () => number) {
    this.currentSeq = currentSeq;
    this.heartbeat = setInterval(() => this.broadcast(': keep-alive\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Another run is shown from now on: clients start over. */
  reset(runId: string): void {
    this.flush();
    this.runId = runId;
    this.buffer = [];
    this.broadcast(resetFrame(runId));
  }

  publish(event: ReadEvent): void {
    if (event.runId !== this.runId) return;
    const frame = `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
    this.buffer.push({ seq: event.seq, frame });
    if (this.buffer.length > BUFFERED_EVENTS) this.buffer.splice(0, this.buffer.length - BUFFERED_EVENTS);
    this.pending += frame;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes the frames published since the last flush to every client, as one buffer. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending === '') return;
    const frames = this.pending;
    this.pending = '';
    if (this.clients.size > 0) this.broadcast(Buffer.from(frames, 'utf8'));
  }

  /** A new client: the events after `after` of run `runId`, then everything as it comes. */
  attach(res: ServerResponse, runId: string | null, after: number | null): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    // Frames not yet flushed are in the buffer this client is about to be sent: flush them to the
    // others first, so nobody gets an event twice.
    this.flush();
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    if (runId !== null && runId !== this.runId) {
      res.write(resetFrame(this.runId));
      return;
    }
    if (after === null) return;
    const first = this.buffer[0];
    const lastSent = Math.max(this.buffer.at(-1)?.seq ?? 0, this.currentSeq());
    if (after < lastSent && (!first || first.seq > after + 1)) {
      res.write(resetFrame(this.runId));
      return;
    }
    for (const entry of this.buffer) if (entry.seq > after) res.write(entry.frame);
  }

  close(): void {
    this.flush();
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private broadcast(frame: string | Buffer): void {
    for (const client of this.clients) {
      if (client.writableLength > MAX_QUEUED_BYTES) {
        client.destroy();
        this.clients.delete(client);
        continue;
      }
      client.write(frame);
    }
  }
}

function resetFrame(runId: string): string {
  return `event: reset\ndata: ${JSON.stringify({ runId })}\n\n`;
}
