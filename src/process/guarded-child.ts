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
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  findGuardedPids,
  GUARD_ENV,
  GUARD_HARNESS_ENV,
  rememberTokenStart,
  signalAll,
  sweepGuarded,
  WATCH_ENV,
} from './guardian.js';
import { watchdogToken } from './watchdog.js';

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

/**
 * Every live group (its leader's pid → the token of a child with no guardian process of its own,
 * or undefined for a guardian), so an orderly harness exit still takes its children down
 * synchronously.
 */
const liveGroups = new Map<number, string | undefined>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pgid, inProcessToken] of liveGroups) {
      try {
        process.kill(-pgid, 'SIGTERM'); // a guardian sweeps its tagged processes on TERM
      } catch {
        /* gone */
      }
      // A child without a guardian may die of that TERM before anything sweeps: sweep from here.
      if (inProcessToken !== undefined) {
        const leader = new Set([pgid]);
        signalAll(findGuardedPids(inProcessToken, leader), 'SIGKILL', leader);
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
  /**
   * The child is a Node script run by this Node (`command` is process.execPath, `args` start with
   * the script): the guard is preloaded into it instead of running as a process of its own, with
   * these Node flags before the script.
   */
  inProcess?: { nodeFlags: readonly string[] };
  /**
   * No guardian process: the command runs as the group leader itself, this process sweeps its tag
   * when it ends, and the run-wide watchdog (watchdog.ts) sweeps it if this process dies first.
   */
  watched?: boolean;
}

/** How long a watched command's leftovers get between TERM and KILL once it ended. */
const WATCHED_SWEEP_GRACE_MS = 2000;

export interface GuardedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class GuardedChild {
  /** The tag every process below the guardian carries in PI_HARNESS_GUARD. */
  readonly token = randomUUID();
  /** The guardian (its stdio is the child's). */
  readonly process: ChildProcess;
  /** The group leader's pid (the guardian, or the child guarded in-process), also the group's id. */
  readonly pid: number;
  /** The guard runs inside the child (preloaded), not as a guardian process beside it. */
  readonly guardedInProcess: boolean;
  /** No guardian: the run-wide watchdog stands in if the harness dies (GuardedSpawnOptions.watched). */
  readonly watched: boolean;
  private exitInfo: GuardedExit | undefined;
  private readonly exitPromise: Promise<GuardedExit>;

  constructor(options: GuardedSpawnOptions) {
    installExitHook();
    this.guardedInProcess = options.inProcess !== undefined && options.command === process.execPath;
    this.watched = !this.guardedInProcess && options.watched === true;
    this.process = this.watched ? this.spawnWatched(options) : this.spawnGuarded(options);
    if (this.process.pid === undefined) throw new Error(`failed to start a guarded ${options.command}`);
    this.pid = this.process.pid;
    // Every process that gets the token starts after this one: sweeps look at those alone.
    rememberTokenStart(this.token, this.pid);
    liveGroups.set(this.pid, this.guardedInProcess || this.watched ? this.token : undefined);
    this.exitPromise = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        liveGroups.delete(this.pid);
        const exit = { code, signal };
        // A watched command's leftovers are ended before its end is reported, as a guardian would.
        if (this.watched) {
          void sweepGuarded(this.token, WATCHED_SWEEP_GRACE_MS)
            .catch(() => 0)
            .then(() => {
              this.exitInfo = exit;
              resolve(exit);
            });
          return;
        }
        // A child guarded in-process and killed outright ran no code of its own: sweep from here.
        if (this.guardedInProcess) void sweepGuarded(this.token, 2000).catch(() => 0);
        this.exitInfo = exit;
        resolve(exit);
      });
    });
    this.process.stdio[3]?.on('error', () => {});
  }

  private spawnGuarded(options: GuardedSpawnOptions): ChildProcess {
    const guardian = guardianPath();
    const args = this.guardedInProcess
      ? [...(options.inProcess?.nodeFlags ?? []), `--import=${pathToFileURL(guardian).href}`, ...options.args]
      : [guardian, this.token, String(process.pid), options.command, ...options.args];
    return spawn(process.execPath, args, {
      cwd: options.cwd,
      env: { ...options.env, [GUARD_ENV]: this.token, [GUARD_HARNESS_ENV]: String(process.pid) },
      // fd 3 is the guard's lifeline: EOF there means this process is gone.
      stdio: [...options.stdio, 'pipe'],
      detached: true,
    });
  }

  /** The command itself leads the group; the watchdog's tag is given before it can start anything. */
  private spawnWatched(options: GuardedSpawnOptions): ChildProcess {
    const watch = watchdogToken(guardianPath());
    return spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env, [GUARD_ENV]: this.token, [WATCH_ENV]: watch },
      stdio: [...options.stdio],
      detached: true,
    });
  }

  /** The group's own processes (the guardian and its child, or the child alone), spared by a tool sweep. */
  ownPids(childrenOf: (pid: number) => number[]): number[] {
    return this.guardedInProcess || this.watched ? [this.pid] : [this.pid, ...childrenOf(this.pid)];
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
