/**
 * Follows a journal another process is writing: reads what was appended since the last look,
 * decodes each complete line through the one decoder and hands the events on in order. A line
 * still being written waits for its newline. Woken by fs.watch and by a short poll (watching is not
 * reliable on every file system); a file that does not exist yet is waited for.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { errorCode } from '../util/errors.js';
import { decodeLine, type ReadEvent } from './decode.js';

export interface TailOptions {
  /** Start at this byte offset (default 0, the whole file). */
  fromOffset?: number;
  pollMs?: number;
}

/** The size of a file, 0 when it does not exist. */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0;
    throw error;
  }
}

export class JournalTail {
  readonly file: string;
  private offset: number;
  private partial = '';
  /** Keeps a character split across two reads whole. */
  private readonly decoder = new StringDecoder('utf8');
  private position = 0;
  private readonly onEvent: (event: ReadEvent) => void;
  private readonly pollMs: number;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(file: string, onEvent: (event: ReadEvent) => void, options: TailOptions = {}) {
    this.file = file;
    this.offset = options.fromOffset ?? 0;
    this.onEvent = onEvent;
    this.pollMs = options.pollMs ?? 200;
  }

  /** Reads what is there now, then follows the file. */
  async start(): Promise<void> {
    await this.poke();
    try {
      this.watcher = watch(this.file, () => void this.poke());
      this.watcher.on('error', () => undefined);
      this.watcher.unref();
    } catch {
      // not there yet, or not watchable: the poll follows it
    }
    this.timer = setInterval(() => void this.poke(), this.pollMs);
    this.timer.unref();
  }

  /** Reads whatever was appended since the last read. */
  poke(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.readMore()
      .catch(() => undefined)
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          void this.poke();
        }
      });
    return this.reading;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }

  private async readMore(): Promise<void> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) this.offset = 0; // replaced by a shorter file: read it again
      while (this.offset < size && !this.closed) {
        const buffer = Buffer.alloc(Math.min(size - this.offset, 1024 * 1024));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.take(this.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }

  private take(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    const runId = path.basename(path.dirname(this.file));
    for (const line of lines) {
      if (line.trim() === '') continue;
      const decoded = decodeLine(line, { runId, position: this.position + 1 });
      if (decoded.kind !== 'event') continue;
      this.position += 1;
      this.onEvent(decoded.event);
    }
  }
}
