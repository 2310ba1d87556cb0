/**
 * Guardian: the process-group leader that owns one child the harness starts — pi, the user's test
 * command, the visual capture command, a git commit running the repository's hooks — and
 * guarantees that nothing the child started outlives it or the harness.
 *
 *   node guardian.js <token> <harnessPid> <command> [args...]
 *
 * Why a process group is not enough: pi runs each bash tool call with `detached: true` (its own
 * session and process group), a test command may start a server with `setsid`, and a SIGKILLed
 * harness runs no cleanup code at all. So every process started under the guardian inherits the
 * environment variable PI_HARNESS_GUARD=<token>, and the guardian kills everything carrying that tag
 * (plus descendants, found through parent links) when the child exits, when it is told to stop
 * (SIGTERM/SIGINT/SIGHUP), or when the harness disappears — detected at once by EOF on the lifeline
 * pipe at fd 3 (the kernel closes the harness's end when it dies, however it dies) and, as a backup,
 * by polling the harness pid. A process that both scrubs its environment and detaches from every
 * tagged ancestor is the one thing this cannot find.
 *
 * Two modes, one file:
 * - guardian process: `node guardian.js <token> <harnessPid> <command> [args...]` leads the process
 *   group, runs the child and sweeps when it exits, when told to stop or when the harness is gone.
 * - in-process, for a child that is a Node script run by the harness's Node (the installed pi):
 *   preloaded into it with `node --import=<this file>`, so no second process stands beside every
 *   pi; see installInProcessGuard.
 *
 * The guardian exits the way its child did (the same code, or the same signal), so the harness
 * reads the child's ending through it.
 *
 * Constraints: this file runs directly with `node` both as compiled dist/process/guardian.js and as
 * the TypeScript source (Node ≥ 22.18 strips erasable types), so it imports node builtins only and
 * never writes to stdout, which belongs to the child (pi's RPC protocol, a command's output).
 */

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

export const GUARD_ENV = 'PI_HARNESS_GUARD';
/** The run-wide watchdog's tag (watchdog.ts), beside each watched command's own GUARD_ENV tag. */
export const WATCH_ENV = 'PI_HARNESS_WATCH';

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  started: number;
}

function readProcStat(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return undefined; // zombies cannot be killed, only reaped
    return { pid, ppid: Number(rest[1]), pgid: Number(rest[2]), started: Number(rest[19]) };
  } catch {
    return undefined;
  }
}

/**
 * The start of the first process of each token (the guardian, or the child guarded without one),
 * read as it is spawned. Every process that carries a token was started after that one, so a sweep
 * reads the environment of those only: the others (the whole rest of the machine, hundreds of
 * processes on a desktop) cannot carry it. A token with no start known is looked for everywhere.
 */
const tokenStarts = new Map<string, number>();
/** The latest tokens only: an overnight run starts a guarded child every iteration. */
const TOKEN_STARTS_KEPT = 256;

/** Remembers when `pid`, the process that first carries `token`, started. */
export function rememberTokenStart(token: string, pid: number): void {
  const started = readProcStat(pid)?.started;
  if (started === undefined || !Number.isFinite(started)) return;
  if (tokenStarts.size >= TOKEN_STARTS_KEPT) tokenStarts.delete(tokenStarts.keys().next().value!);
  tokenStarts.set(token, started);
}

function hasTag(pid: number, needle: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return env.split('\0').includes(needle);
  } catch {
    return false;
  }
}

/**
 * Live processes carrying the tag, plus every descendant of one (a command may scrub its
 * environment). Linux only: without /proc this returns [] and callers fall back to group kills.
 */
export function findGuardedPids(
  token: string,
  exclude: ReadonlySet<number> = new Set(),
  variable: string = GUARD_ENV,
): ProcInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = `${variable}=${token}`;
  const since = tokenStarts.get(token) ?? 0;
  const all: ProcInfo[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProcStat(Number(name));
    if (info) all.push(info);
  }
  const selected = new Map<number, ProcInfo>();
  for (const p of all) if (!exclude.has(p.pid) && p.started >= since && hasTag(p.pid, needle)) selected.set(p.pid, p);
  // Transitive closure over parent links.
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!selected.has(p.pid) && !exclude.has(p.pid) && selected.has(p.ppid)) {
        selected.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...selected.values()];
}

export function signalAll(procs: readonly ProcInfo[], signal: NodeJS.Signals, exclude: ReadonlySet<number>): void {
  const ids = new Set(procs.map((p) => p.pid));
  for (const p of procs) {
    // Also signal the group when its leader is one of ours (pi's detached bash tools lead theirs).
    if (ids.has(p.pgid) && !exclude.has(p.pgid) && p.pgid !== process.pid) {
      try {
        process.kill(-p.pgid, signal);
      } catch {
        /* already gone */
      }
    }
    try {
      process.kill(p.pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** TERM everything tagged, wait up to graceMs, then KILL what is left. Returns survivors (ideally 0). */
export async function sweepGuarded(
  token: string,
  graceMs: number,
  exclude: ReadonlySet<number> = new Set(),
  variable: string = GUARD_ENV,
): Promise<number> {
  let procs = findGuardedPids(token, exclude, variable);
  if (procs.length === 0) return 0;
  signalAll(procs, 'SIGTERM', exclude);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(100);
    procs = findGuardedPids(token, exclude, variable);
    if (procs.length === 0) return 0;
  }
  for (let round = 0; round < 10 && procs.length > 0; round++) {
    signalAll(procs, 'SIGKILL', exclude);
    await sleep(100);
    procs = findGuardedPids(token, exclude, variable);
  }
  return procs.length;
}

function log(message: string): void {
  try {
    process.stderr.write(`[pi-harness guardian ${process.pid}] ${message}\n`);
  } catch {
    /* the harness (and our stderr reader) may already be gone */
  }
}

/** How long tool processes get between TERM and KILL when the harness is gone. */
function graceMs(): number {
  return Number(process.env.PI_HARNESS_GUARD_GRACE_MS ?? '2000');
}

/**
 * Calls `onGone` once the harness is gone: EOF on the lifeline at fd 3 (instant, however the
 * harness died) or, as a backup, the harness pid no longer being this process's parent. `unref`:
 * the watch never keeps a process alive by itself (pi exits on its own terms).
 */
function watchHarness(harnessPid: number, onGone: (why: string) => void, unref: boolean): void {
  try {
    const lifeline = new Socket({ fd: 3, readable: true, writable: false });
    lifeline.on('data', () => {});
    lifeline.on('end', () => onGone('harness lifeline closed'));
    lifeline.on('error', () => onGone('harness lifeline error'));
    if (unref) lifeline.unref();
  } catch (error) {
    log(`no lifeline on fd 3 (${error instanceof Error ? error.message : String(error)}); polling only`);
  }
  const poll = setInterval(() => {
    let alive = process.ppid === harnessPid;
    if (alive) {
      try {
        process.kill(harnessPid, 0);
      } catch {
        alive = false;
      }
    }
    if (!alive) onGone('harness process is gone');
  }, 1000);
  if (unref) poll.unref();
}

/** Ends the guardian the way its child ended: by the same signal (handlers removed), else the code. */
function exitLike(exitCode: number, signal: NodeJS.Signals | undefined): void {
  if (signal !== undefined && signal !== 'SIGSTOP') {
    process.removeAllListeners(signal);
    try {
      process.kill(process.pid, signal);
    } catch {
      /* fall through to the exit code */
    }
    // A signal whose default action is not to end the process (SIGCHLD, SIGURG...) leaves us here.
    setTimeout(() => process.exit(exitCode), 200).unref();
    return;
  }
  process.exit(exitCode);
}

/**
 * Sweep mode (`--sweep-watched <token>`): what the run-wide watchdog (watchdog.ts) runs once the
 * harness is gone, to end every process tagged with the watchdog's token.
 */
function sweepWatched(token: string | undefined): void {
  if (!token) {
    log('usage: guardian --sweep-watched <token>');
    process.exit(2);
  }
  process.stderr.on('error', () => {});
  setTimeout(() => process.exit(1), graceMs() + 3000).unref();
  void sweepGuarded(token, graceMs(), new Set([process.pid]), WATCH_ENV).then(
    (left) => process.exit(left === 0 ? 0 : 1),
    () => process.exit(1),
  );
}

/** Guardian process mode: runs `command` as its child and guards it. */
function main(argv: readonly string[]): void {
  if (argv[0] === '--sweep-watched') {
    sweepWatched(argv[1]);
    return;
  }
  const [token, harnessPidText, command, ...args] = argv;
  const harnessPid = Number(harnessPidText);
  if (!token || !command || !Number.isInteger(harnessPid) || harnessPid <= 0) {
    log('usage: guardian <token> <harnessPid> <command> [args...]');
    process.exit(2);
  }
  // When the harness dies our stderr pipe has no reader: EPIPE must not kill us before the sweep.
  process.stderr.on('error', () => {});
  process.stdout.on('error', () => {});
  const self = new Set([process.pid]);
  rememberTokenStart(token, process.pid);
  let stopping = false;

  // pi gets the harness's pipes directly: no relaying, no extra buffering, no framing risk.
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, [GUARD_ENV]: token } });

  const stop = (why: string, exitCode: number, signal?: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    if (why !== 'child exited') log(`stopping: ${why}`);
    void sweepGuarded(token, graceMs(), self).finally(() => exitLike(exitCode, signal));
    // The sweep is bounded, but never let the guardian itself outlive a hard limit.
    setTimeout(() => process.exit(exitCode), graceMs() + 3000).unref();
  };

  child.on('error', (error) => {
    log(`cannot start ${command}: ${error.message}`);
    stop('spawn error', 127);
  });
  child.on('exit', (code, signal) =>
    stop('child exited', code ?? (signal ? 128 + (constants.signals[signal] ?? 15) : 1), signal ?? undefined),
  );

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => stop(`received ${signal}`, 143));
  }
  watchHarness(harnessPid, (why) => stop(why, 137), false);
}

/** Names the harness's pid in pi's environment (in-process mode). */
export const GUARD_HARNESS_ENV = 'PI_HARNESS_GUARD_HARNESS_PID';

/**
 * Names (comma-separated) the variables meant for the guarded process alone (in-process mode): read
 * by its runtime as it started, then dropped from its environment, so nothing it starts inherits them.
 */
export const GUARD_DROP_ENV = 'PI_HARNESS_GUARD_DROP_ENV';

function dropOwnVariables(): void {
  const names = process.env[GUARD_DROP_ENV];
  if (names === undefined) return;
  for (const name of names.split(',')) if (name) delete process.env[name];
  delete process.env[GUARD_DROP_ENV];
}

/**
 * In-process mode: this module preloaded into pi itself (`node --import=<this file> pi ...`), so no
 * process of its own stands beside every pi. When the harness is gone, every tagged process of
 * this pi gets TERM, then KILL after the grace time, and pi exits; when pi exits for any reason,
 * whatever tagged process is still alive (a daemon a tool left behind) is killed on the way out.
 * A pi that dies by SIGKILL runs no code at all: then the harness, which is alive, sweeps the tag.
 */
function installInProcessGuard(): void {
  dropOwnVariables();
  const token = process.env[GUARD_ENV];
  const harnessPid = Number(process.env[GUARD_HARNESS_ENV]);
  if (!token || !Number.isInteger(harnessPid) || harnessPid <= 0) {
    log(`preloaded without ${GUARD_ENV} and ${GUARD_HARNESS_ENV}: no guard installed`);
    return;
  }
  const self = new Set([process.pid]);
  rememberTokenStart(token, process.pid);
  let stopping = false;
  watchHarness(
    harnessPid,
    (why) => {
      if (stopping) return;
      stopping = true;
      log(`stopping: ${why}`);
      void sweepGuarded(token, graceMs(), self).finally(() => process.exit(137));
      setTimeout(() => process.exit(137), graceMs() + 3000).unref();
    },
    true,
  );
  process.on('exit', () => {
    // Only synchronous work runs here: one KILL to whatever is left.
    signalAll(findGuardedPids(token, self), 'SIGKILL', self);
  });
}

/** Whether this file was preloaded with `--import=<its URL>` (compared by real path: links differ). */
function isPreloaded(): boolean {
  const self = realOrSelf(fileURLToPath(import.meta.url));
  return process.execArgv.some((arg) => {
    if (!arg.startsWith('--import=file:')) return false;
    try {
      return realOrSelf(fileURLToPath(arg.slice('--import='.length))) === self;
    } catch {
      return false;
    }
  });
}

function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
// Node preloads an --import module into every worker thread started from a file, too (pi resizes
// images in one). The guard belongs to the main thread: a copy in a worker would close the lifeline
// on fd 3 when the worker ends (pi's next socket then gets fd 3 while the main thread's handle still
// watches it) and its exit handler would kill pi's tool processes.
const preloaded = !invokedDirectly && isMainThread && isPreloaded();
if (invokedDirectly) main(process.argv.slice(2));
else if (preloaded) installInProcessGuard();
