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
 * The guardian exits the way its child did (the same code, or the same signal), so the harness
 * reads the child's ending through it.
 *
 * Constraints: this file runs directly with `node` both as compiled dist/process/guardian.js and as
 * the TypeScript source (Node ≥ 22.18 strips erasable types), so it imports node builtins only and
 * never writes to stdout, which belongs to the child (pi's RPC protocol, a command's output).
 */

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const GUARD_ENV = 'PI_HARNESS_GUARD';

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
}

function readProcStat(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return undefined; // zombies cannot be killed, only reaped
    return { pid, ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
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
export function findGuardedPids(token: string, exclude: ReadonlySet<number> = new Set()): ProcInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = `${GUARD_ENV}=${token}`;
  const all: ProcInfo[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProcStat(Number(name));
    if (info) all.push(info);
  }
  const selected = new Map<number, ProcInfo>();
  for (const p of all) if (!exclude.has(p.pid) && hasTag(p.pid, needle)) selected.set(p.pid, p);
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

function signalAll(procs: readonly ProcInfo[], signal: NodeJS.Signals, exclude: ReadonlySet<number>): void {
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
): Promise<number> {
  let procs = findGuardedPids(token, exclude);
  if (procs.length === 0) return 0;
  signalAll(procs, 'SIGTERM', exclude);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(100);
    procs = findGuardedPids(token, exclude);
    if (procs.length === 0) return 0;
  }
  for (let round = 0; round < 10 && procs.length > 0; round++) {
    signalAll(procs, 'SIGKILL', exclude);
    await sleep(100);
    procs = findGuardedPids(token, exclude);
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

function main(argv: readonly string[]): void {
  const [token, harnessPidText, command, ...args] = argv;
  const harnessPid = Number(harnessPidText);
  if (!token || !command || !Number.isInteger(harnessPid) || harnessPid <= 0) {
    log('usage: guardian <token> <harnessPid> <command> [args...]');
    process.exit(2);
  }
  // When the harness dies our stderr pipe has no reader: EPIPE must not kill us before the sweep.
  process.stderr.on('error', () => {});
  process.stdout.on('error', () => {});
  const graceMs = Number(process.env.PI_HARNESS_GUARD_GRACE_MS ?? '2000');
  const self = new Set([process.pid]);
  let stopping = false;

  // pi gets the harness's pipes directly: no relaying, no extra buffering, no framing risk.
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, [GUARD_ENV]: token } });

  const stop = (why: string, exitCode: number, signal?: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    if (why !== 'child exited') log(`stopping: ${why}`);
    void sweepGuarded(token, graceMs, self).finally(() => exitLike(exitCode, signal));
    // The sweep is bounded, but never let the guardian itself outlive a hard limit.
    setTimeout(() => process.exit(exitCode), graceMs + 3000).unref();
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

  try {
    const lifeline = new Socket({ fd: 3, readable: true, writable: false });
    lifeline.on('data', () => {});
    lifeline.on('end', () => stop('harness lifeline closed', 137));
    lifeline.on('error', () => stop('harness lifeline error', 137));
  } catch (error) {
    log(`no lifeline on fd 3 (${error instanceof Error ? error.message : String(error)}); polling only`);
  }

  setInterval(() => {
    let alive = process.ppid === harnessPid;
    if (alive) {
      try {
        process.kill(harnessPid, 0);
      } catch {
        alive = false;
      }
    }
    if (!alive) stop('harness process is gone', 137);
  }, 1000);
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) main(process.argv.slice(2));
