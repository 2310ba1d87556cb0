/**
 * Applies projection effects to files, synchronously (a projection is on disk before the journal
 * listener returns, so a crash leaves the projections as current as the journal) and redacted
 * (whatever a projection produces passes the run's redactor once more before it is written). The
 * one exception, a `soon` replace (the run summary, the "last …" files and the token summary, each
 * rewritten by most steps), is written at most 250 ms later: a crash leaves it that far behind, and
 * the next run's start rebuilds an unfinished run's projections from its journal anyway.
 *
 * `live` appends blindly: the run's records are new. `rebuild` appends only records whose key the
 * file lacks, and writes each replaced file once, at flush, with its final content.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Redactor } from '../redact/index.js';
import { tempPathFor } from '../util/atomic-file.js';
import { errorCode } from '../util/errors.js';
import type { Content, Effect, KeyOf } from './projections/types.js';

export interface SinkOptions {
  redactor: Redactor;
  mode: 'live' | 'rebuild';
  /** Rebuild: also write the repo-level "latest" files (true when rebuilding the newest run). */
  writeLatest?: boolean;
  /** Live: told when a file written a moment later could not be written. */
  onLateError?: (file: string, error: unknown) => void;
}

/** How long a `soon` replace may wait: long enough to take the events of a step together. */
const SOON_MS = 250;
/** Live sinks with files still to write: the process's end writes them. */
const waiting = new Set<FileSink>();
let exitHooked = false;

/** The first bytes of a file, or undefined when it does not exist. */
function head(file: string, bytes = 64 * 1024): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function endsWithNewline(file: string): boolean {
  const size = statSync(file).size;
  if (size === 0) return true;
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1);
    readSync(fd, buffer, 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** `telemetry.csv` -> `telemetry.old-columns-<stamp>.csv` (never an existing name). */
export function asideName(file: string, now: Date = new Date()): string {
  const ext = path.extname(file);
  const base = file.slice(0, file.length - ext.length);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n++) {
    const candidate = `${base}.old-columns-${stamp}${n === 0 ? '' : `-${n}`}${ext}`;
    if (!existsSync(candidate)) return candidate;
  }
}

export class FileSink {
  private readonly options: SinkOptions;
  private readonly dirs = new Set<string>();
  /** Files whose header and last line were checked by this sink. */
  private readonly prepared = new Set<string>();
  private readonly keys = new Map<string, Set<string>>();
  private readonly pending = new Map<string, string>();
  /** Live: `soon` files waiting to be written, with their last content. */
  private readonly late = new Map<string, Content>();
  private lateTimer: NodeJS.Timeout | undefined;
  /** Files moved aside because their header was an older column set. */
  readonly movedAside: string[] = [];

  constructor(options: SinkOptions) {
    this.options = options;
  }

  apply(effect: Effect): void {
    switch (effect.kind) {
      case 'append':
        this.append(effect.file, this.line(effect.content), effect.key, effect.keyOf, effect.header);
        return;
      case 'replace':
        if (this.options.mode === 'live') this.replaceLive(effect.file, effect.content, effect.soon === true);
        else if (effect.scope === 'run' || this.options.writeLatest)
          this.pending.set(effect.file, this.document(effect.content));
        return;
      case 'create':
        this.create(effect.file, this.document(effect.content));
        return;
    }
  }

  /**
   * Forgets what this sink knew about the files it wrote (directories made, headers checked, keys
   * seen): they were removed from under it and are being written afresh.
   */
  forget(): void {
    this.dirs.clear();
    this.prepared.clear();
    this.keys.clear();
  }

  /** Live: a `soon` file waits for the timer (or a later immediate write of it); any other is written now. */
  private replaceLive(file: string, content: Content, soon: boolean): void {
    if (!soon) {
      this.late.delete(file);
      this.writeAtomic(file, this.document(content));
      return;
    }
    this.late.set(file, content);
    waiting.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', () => {
        for (const sink of waiting) sink.writeLate();
      });
    }
    if (this.lateTimer === undefined) {
      this.lateTimer = setTimeout(() => this.writeLate(), SOON_MS);
      this.lateTimer.unref();
    }
  }

  /** Writes the files a live sink let wait (the timer, the process's end, a test). */
  writeLate(): void {
    clearTimeout(this.lateTimer);
    this.lateTimer = undefined;
    waiting.delete(this);
    const late = [...this.late];
    this.late.clear();
    for (const [file, content] of late) {
      try {
        this.writeAtomic(file, this.document(content));
      } catch (error) {
        this.options.onLateError?.(file, error);
      }
    }
  }

  /** Writes the replaced files of a rebuild. */
  flush(): void {
    for (const [file, text] of this.pending) this.writeAtomic(file, text);
    this.pending.clear();
  }

  private line(content: Content): string {
    return 'json' in content
      ? JSON.stringify(this.options.redactor.value(content.json))
      : this.options.redactor.text(content.text);
  }

  private document(content: Content): string {
    return 'json' in content
      ? `${JSON.stringify(this.options.redactor.value(content.json), null, 2)}\n`
      : this.options.redactor.text(content.text);
  }

  private ensureDir(file: string): void {
    const dir = path.dirname(file);
    if (this.dirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
  }

  /** Once per file: a header that does not match moves the file aside; a torn last line is closed. */
  private prepare(file: string, header: string | undefined): void {
    if (this.prepared.has(file)) return;
    this.ensureDir(file);
    const start = head(file);
    if (header !== undefined) {
      const firstLine = start?.split('\n', 1)[0];
      if (start !== undefined && start !== '' && firstLine !== header) {
        // Never write rows under another column set: the old file keeps its own header.
        const aside = asideName(file);
        renameSync(file, aside);
        this.movedAside.push(aside);
      }
      if (start === undefined || start === '' || firstLine !== header) writeFileSync(file, `${header}\n`);
    }
    if (existsSync(file) && !endsWithNewline(file)) appendFileSync(file, '\n');
    this.prepared.add(file);
  }

  private keysOf(file: string, keyOf: KeyOf): Set<string> {
    let keys = this.keys.get(file);
    if (!keys) {
      keys = new Set();
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      for (const line of text.split('\n')) {
        const key = line === '' ? undefined : keyOf(line);
        if (key !== undefined) keys.add(key);
      }
      this.keys.set(file, keys);
    }
    return keys;
  }

  private append(file: string, line: string, key: string, keyOf: KeyOf, header: string | undefined): void {
    this.prepare(file, header);
    if (this.options.mode === 'rebuild') {
      const keys = this.keysOf(file, keyOf);
      if (keys.has(key)) return;
      keys.add(key);
    }
    appendFileSync(file, `${line}\n`);
  }

  private create(file: string, text: string): void {
    this.ensureDir(file);
    try {
      writeFileSync(file, text, { flag: 'wx' });
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }

  private writeAtomic(file: string, text: string): void {
    this.ensureDir(file);
    const temp = tempPathFor(file);
    writeFileSync(temp, text);
    renameSync(temp, file);
  }
}
