/**
 * Starting a child under the guardian (guardian.ts): pi, the user's test and capture commands, a
 * git commit that runs the repository's hooks. The guardian leads its own process group, tags
 * everything below it with a token in the environment, watches this process through a lifeline
 * pipe, and sweeps every tagged process — `setsid` children included — when the child ends, when it
 * is stopped, or when the harness dies, even by SIGKILL.
 */
import { spawn, type ChildProcess, type StdioNull, type StdioPipe } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { GUARD_ENV, sweepGuarded } from './guardian.js';

/** Grace-period timers never keep the harness alive on their own. */
const UNREF = { ref: false } as const;

/** dist/process/guardian.js when built; the .ts source (run by Node's type stripping) in tests. */
export function guardianPath(): string {
  for (const name of ['./guardian.js', './guardian.ts']) {
    const candidate = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('pi-harness: guardian script not found next to guarded-child.js');
}

/** Every live guardian group, so an orderly harness exit still takes its children down synchronously. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) {
      try {
        process.kill(-pgid, 'SIGTERM'); // the guardian sweeps its tagged processes on TERM
      } catch {
        /* gone */
      }
    }
  });
}

export interface GuardedSpawnOptions {
  /** The program to run under the guardian (an executable, or process.execPath for a script). */
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdin, stdout, stderr of the child (the guardian passes its own through). */
  stdio: readonly [StdioPipe | StdioNull, StdioPipe | StdioNull, StdioPipe | StdioNull];
}

export interface GuardedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class GuardedChild {
  /** The tag every process below the guardian carries in PI_HARNESS_GUARD. */
  readonly token = randomUUID();
  /** The guardian (its stdio is the child's). */
  readonly process: ChildProcess;
  /** The guardian's pid, which is also its process group's id. */
  readonly pid: number;
  private exitInfo: GuardedExit | undefined;
  private readonly exitPromise: Promise<GuardedExit>;

  constructor(options: GuardedSpawnOptions) {
    installExitHook();
    this.process = spawn(
      process.execPath,
      [guardianPath(), this.token, String(process.pid), options.command, ...options.args],
      {
        cwd: options.cwd,
        env: { ...options.env, [GUARD_ENV]: this.token },
        // fd 3 is the guardian's lifeline: EOF there means this process is gone.
        stdio: [...options.stdio, 'pipe'],
        detached: true,
      },
    );
    if (this.process.pid === undefined) throw new Error(`failed to start a guardian for ${options.command}`);
    this.pid = this.process.pid;
    liveGroups.add(this.pid);
    this.exitPromise = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        liveGroups.delete(this.pid);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    this.process.stdio[3]?.on('error', () => {});
  }

  get exited(): GuardedExit | undefined {
    return this.exitInfo;
  }

  waitForExit(): Promise<GuardedExit> {
    return this.exitPromise;
  }

  /**
   * Stops the child and everything it started. TERM to the group lets the guardian sweep; if it has
   * not exited after graceMs (plus the guardian's own grace), KILL the group and sweep from here.
   */
  async stop(graceMs = 3000): Promise<GuardedExit> {
    if (this.exitInfo) {
      await sweepGuarded(this.token, 0);
      return this.exitInfo;
    }
    this.signalGroup('SIGTERM');
    const exited = await Promise.race([this.exitPromise, sleep(graceMs + 2500, undefined, UNREF)]);
    if (!exited) this.signalGroup('SIGKILL');
    await sweepGuarded(this.token, exited ? 0 : 500);
    return (await Promise.race([this.exitPromise, sleep(2000, undefined, UNREF)])) ?? { code: null, signal: 'SIGKILL' };
  }

  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      /* group already gone */
    }
  }
}

export function spawnGuarded(options: GuardedSpawnOptions): GuardedChild {
  return new GuardedChild(options);
}
