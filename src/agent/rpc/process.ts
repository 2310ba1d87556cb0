/**
 * One `pi --mode rpc` child, guarded (see process/guardian.ts), speaking strict JSONL.
 *
 * Responsibilities: spawn with an argument array in its own process group, frame stdout, correlate
 * command responses by id, keep a stderr tail for diagnostics, and kill the whole group (plus every
 * tagged tool process) with a TERM → KILL escalation. Every wait here is bounded.
 */

import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { GUARD_DROP_ENV, sweepGuarded } from '../../process/guardian.js';
import { GuardedChild, type GuardedExit } from '../../process/guarded-child.js';
import { JsonlDecoder, encodeJsonl } from './jsonl.js';
import { parsePiEvent, type PiEvent } from './events.js';
import { decodeAnswer, type PiAnswer, type PiCommand, type PiCommandType, type PiMessage } from './protocol.js';

export interface PiSpawnOptions {
  /** Executable or JS entry of pi. A `.js`/`.mjs`/`.cjs` path runs with this Node binary. */
  piCli: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

type PiResponse = Extract<PiEvent, { kind: 'response' }>;

export type PiExit = GuardedExit;

type Listener = (event: PiEvent) => void;

const STDERR_TAIL_BYTES = 16 * 1024;

/**
 * Node flags for pi: a young generation of 1 MiB instead of V8's default of up to 16 MiB per
 * semi-space. pi allocates in small bursts (events, request bodies); the bench measured ~25 MiB
 * less resident memory per pi for it, with no measurable change in turn time.
 */
export const PI_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * glibc malloc settings for pi: a fixed mmap threshold (and trim threshold) of 128 KiB instead of
 * glibc's dynamic one, which climbs to 32 MiB once large blocks are freed and then keeps freed memory
 * in the heap. Measured on the bench's memory check: pi ~70 MiB PSS instead of ~90 MiB, flat. Meant
 * for pi alone: the guard inside pi drops them from its environment at start, so its tools and the
 * user's tests do not inherit them. A value the user set already is left as it is.
 */
export const PI_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/** `env` with PI_MALLOC_ENV for pi where the user set none, named for the guard to drop. */
export function withPiMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const added = Object.keys(PI_MALLOC_ENV).filter((name) => env[name] === undefined);
  if (added.length === 0) return env;
  const tuned: NodeJS.ProcessEnv = { ...env, [GUARD_DROP_ENV]: added.join(',') };
  for (const name of added) tuned[name] = PI_MALLOC_ENV[name];
  return tuned;
}

export class PiProcess {
  private readonly guarded: GuardedChild;
  readonly child: ChildProcess;
  /** The process group leader: pi itself, or its guardian when pi is no Node script. */
  readonly pid: number;
  private readonly decoder = new JsonlDecoder();
  private readonly listeners = new Set<Listener>();
  private readonly exitListeners = new Set<(exit: PiExit) => void>();
  private readonly pending = new Map<string, (r: PiResponse) => void>();
  private stderrTail = '';
  private exitInfo: PiExit | undefined;
  private readonly exitPromise: Promise<PiExit>;
  /** Lines pi wrote that were not JSON; surfaced in diagnostics, never fatal. */
  parseErrors = 0;

  private constructor(options: PiSpawnOptions) {
    const isScript = /\.(c|m)?js$/.test(options.piCli);
    const [command, ...prefix] = isScript ? [process.execPath, options.piCli] : [options.piCli];
    this.guarded = new GuardedChild({
      command: command!,
      args: [...prefix, ...options.args],
      cwd: options.cwd,
      env: isScript ? withPiMalloc(options.env) : options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A pi that is a Node script gets the guard preloaded: one process per pi instead of two.
      ...(isScript ? { inProcess: { nodeFlags: PI_NODE_FLAGS } } : {}),
    });
    this.child = this.guarded.process;
    this.pid = this.guarded.pid;
    this.exitPromise = this.guarded.waitForExit().then((exit) => {
      this.exitInfo = exit;
      for (const item of this.decoder.end()) this.dispatch(item);
      for (const listener of [...this.exitListeners]) listener(exit);
      return exit;
    });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      for (const item of this.decoder.push(chunk)) this.dispatch(item);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    // EPIPE on a dead child must not crash the harness; the exit event reports the death.
    this.child.stdin!.on('error', () => {});
  }

  /** The tag every process of this pi (its tools included) carries in its environment. */
  get token(): string {
    return this.guarded.token;
  }

  /** The guard runs inside pi (preloaded), not as a guardian process beside it. */
  get guardedInProcess(): boolean {
    return this.guarded.guardedInProcess;
  }

  /** pi and its guardian (when it has one): spared when the tool processes of an idle pi are ended. */
  ownPids(childrenOf: (pid: number) => number[]): number[] {
    return this.guarded.ownPids(childrenOf);
  }

  static spawn(options: PiSpawnOptions): PiProcess {
    return new PiProcess(options);
  }

  get exited(): PiExit | undefined {
    return this.exitInfo;
  }

  waitForExit(): Promise<PiExit> {
    return this.exitPromise;
  }

  /**
   * Calls `listener` once when pi exits (at once, after this call, when it has exited already);
   * returns the unsubscribe. Unlike `waitForExit().then`, a turn that ended can let go: a warm pi
   * lives for many turns, and each pending reaction would keep its turn's state until pi exits.
   */
  onExit(listener: (exit: PiExit) => void): () => void {
    const exited = this.exitInfo;
    if (exited) {
      let live = true;
      queueMicrotask(() => live && listener(exited));
      return () => {
        live = false;
      };
    }
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  stderr(): string {
    return this.stderrTail;
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dispatch(item: ReturnType<JsonlDecoder['push']>[number]): void {
    if (item.kind === 'parse_error') {
      this.parseErrors++;
      this.stderrTail = `${this.stderrTail}\n[non-JSON stdout] ${item.line.slice(0, 200)}`.slice(-STDERR_TAIL_BYTES);
      return;
    }
    const event = parsePiEvent(item.value);
    if (!event) return;
    if (event.kind === 'response' && event.id !== undefined) {
      const resolve = this.pending.get(event.id);
      if (resolve) {
        this.pending.delete(event.id);
        resolve(event);
      }
    }
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Writes one command or dialog answer, honouring stdin backpressure (bounded by timeoutMs). */
  async send(command: PiMessage, timeoutMs = 10_000): Promise<void> {
    const stdin = this.child.stdin;
    if (!stdin || this.exitInfo || stdin.destroyed) throw new Error('pi is not running');
    if (stdin.write(encodeJsonl(command))) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('pi stdin stayed full')), timeoutMs);
      stdin.once('drain', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Sends a command with a fresh id and waits for its decoded answer; rejects on timeout or exit. */
  async request<T extends PiCommandType>(command: PiCommand & { type: T }, timeoutMs: number): Promise<PiAnswer<T>> {
    const id = `h-${randomUUID()}`;
    const response = new Promise<PiResponse>((resolve, reject) => {
      let stopWatchingExit = () => {};
      const timer = setTimeout(() => {
        this.pending.delete(id);
        stopWatchingExit();
        reject(new Error(`no response to ${command.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        stopWatchingExit();
        resolve(r);
      });
      // Not `waitForExit().then`: that would hold every command (prompts included) until pi exits.
      stopWatchingExit = this.onExit(() => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        reject(new Error(`pi exited before answering ${command.type}`));
      });
    });
    try {
      await this.send({ ...command, id });
    } catch (error) {
      // No answer can come now; the pending wait's own rejection (exit or timeout) is not news.
      response.catch(() => undefined);
      throw error;
    }
    return decodeAnswer(command.type, await response);
  }

  /**
   * Stops pi, its tool processes and the guardian. TERM to the group lets the guardian sweep; if it
   * has not exited after graceMs, KILL the group and sweep from here.
   */
  async kill(graceMs = 3000): Promise<PiExit> {
    if (this.exitInfo) {
      await sweepGuarded(this.token, 0);
      return this.exitInfo;
    }
    const exit = await this.guarded.stop(graceMs);
    return this.exitInfo ?? exit;
  }
}
