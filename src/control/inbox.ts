/**
 * The control channel between operators (`pi-harness pause` … in another terminal, the dashboard)
 * and a running run: a directory of request files per run. A requester writes `<id>.json`
 * atomically (temporary file, then rename); the run claims each file by renaming it to
 * `<id>.json.taken` — a rename only one side can win, so a requester that gave up and withdrew its
 * file (unlink) and a run that took it can never both succeed — then reads it and removes it.
 *
 * Files survive either side crashing: a request written while the run restarts waits for nobody
 * (each run has its own directory), and a run that dies leaves at most a `.taken` file behind. The
 * run notices new files through fs.watch and, because watching is not reliable on every file
 * system, a short poll as well.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { errorCode, errorMessage } from '../util/errors.js';
import { parseControlRequest, type ControlRequest } from './request.js';

const REQUEST_SUFFIX = '.json';
const TAKEN_SUFFIX = '.taken';

function requestFile(dir: string, id: string): string {
  return path.join(dir, `${id}${REQUEST_SUFFIX}`);
}

/** Puts a request in a run's inbox (creating the directory). */
export async function postRequest(dir: string, request: ControlRequest): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = requestFile(dir, request.id);
  await writeFileAtomic(file, `${JSON.stringify(request)}\n`);
  return file;
}

/** Takes a request back if the run has not claimed it yet; true when it was withdrawn. */
export async function withdrawRequest(dir: string, id: string): Promise<boolean> {
  try {
    await unlink(requestFile(dir, id));
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Removes the inboxes of runs other than `keep` under `root`: a run that ended or crashed never reads
 * its inbox again, and a request left there must not look pending.
 */
export async function removeOtherInboxes(root: string, keep: string): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) if (name !== keep) await rm(path.join(root, name), { recursive: true, force: true });
}

/** A claimed inbox file: a request, or why it could not be read (named by its file's id). */
export type Delivery = { kind: 'request'; request: ControlRequest } | { kind: 'invalid'; id: string; error: string };

export interface InboxOptions {
  /** How often the directory is looked at besides fs.watch (default 250 ms). */
  pollMs?: number;
  /** Told about a failure to read the directory (the run goes on). */
  onError?: (message: string) => void;
}

/** Claims the requests that arrive in `dir`, oldest first, and hands each to `deliver` once. */
export class InboxWatcher {
  readonly dir: string;
  private readonly deliver: (delivery: Delivery) => void;
  private readonly options: InboxOptions;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(dir: string, deliver: (delivery: Delivery) => void, options: InboxOptions = {}) {
    this.dir = dir;
    this.deliver = deliver;
    this.options = options;
  }

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    try {
      this.watcher = watch(this.dir, () => this.kick());
      this.watcher.on('error', () => undefined);
      this.watcher.unref();
    } catch {
      // Not every file system can be watched: the poll still finds the requests.
    }
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 250);
    this.timer.unref();
    this.kick();
  }

  /** Looks at the directory now (also what fs.watch and the poll call). */
  kick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = this.scan()
      .catch((error: unknown) => this.options.onError?.(`the control inbox could not be read: ${errorMessage(error)}`))
      .finally(() => {
        this.scanning = undefined;
        if (this.again) {
          this.again = false;
          void this.kick();
        }
      });
    return this.scanning;
  }

  /** Stops watching; with `remove`, the inbox directory goes too (the run will never read it again). */
  async close(options: { remove?: boolean } = {}): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    await this.scanning;
    if (options.remove) await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  private async scan(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    const requests = names.filter((name) => name.endsWith(REQUEST_SUFFIX) && !name.startsWith('.')).sort();
    for (const name of requests) {
      if (this.closed) return;
      const delivery = await this.claim(name);
      if (delivery) this.deliver(delivery);
    }
  }

  private async claim(name: string): Promise<Delivery | undefined> {
    const file = path.join(this.dir, name);
    const taken = `${file}${TAKEN_SUFFIX}`;
    try {
      await rename(file, taken);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined; // withdrawn, or claimed by an earlier scan
      throw error;
    }
    const id = name.slice(0, -REQUEST_SUFFIX.length);
    let delivery: Delivery;
    try {
      const parsed = parseControlRequest(JSON.parse(await readFile(taken, 'utf8')), { id });
      delivery = parsed.ok
        ? { kind: 'request', request: parsed.request }
        : { kind: 'invalid', id, error: parsed.error };
    } catch (error) {
      delivery = { kind: 'invalid', id, error: `not a JSON control request (${errorMessage(error)})` };
    }
    await unlink(taken).catch(() => undefined);
    return delivery;
  }
}
