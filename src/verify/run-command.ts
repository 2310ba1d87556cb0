/**
 * Runs a command the user configured (testCommand, visualCaptureCommand) through their shell,
 * under the guardian (process/guardian.ts), with a time limit and a cap on the output kept. The
 * guardian ends everything the command started — `setsid` children and daemons included — when the
 * command finishes, times out or is aborted, and when the harness itself dies, even by SIGKILL. The
 * command string is the user's own; the harness never builds a shell string from its own data —
 * values it wants to hand over go in `env`.
 */
import { GuardedChild } from '../process/guarded-child.js';
import type { CommandOutcome } from '../vocabulary/commands.js';
import { errorMessage } from '../util/errors.js';
import { TailBuffer } from './tail-buffer.js';

export interface CommandResult {
  outcome: CommandOutcome;
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they arrived, the end kept when capped. */
  output: string;
  droppedBytes: number;
  durationMs: number;
  /** Why the process failed to start, when it did. */
  spawnError?: string;
}

export interface RunCommandOptions {
  command: string;
  cwd: string;
  timeoutSeconds: number;
  /** Bytes of output kept (from the end). */
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with each chunk of output, for progress display. */
  onOutput?: (chunk: string) => void;
}

const DEFAULT_OUTPUT_CAP = 1024 * 1024;
/** After the command ended and its leftovers were swept, how long a stray process holding the pipes keeps the result waiting. */
const PIPE_DRAIN_MS = 1500;
/** How long a stopped command gets between TERM and KILL. */
const STOP_GRACE_MS = 2000;

function userShell(env: NodeJS.ProcessEnv): string {
  return env.SHELL?.startsWith('/') ? env.SHELL : '/bin/sh';
}

/** The command, watched (no guardian process of its own), or why it could not be started. */
function startGuarded(command: string, cwd: string, env: NodeJS.ProcessEnv): GuardedChild | string {
  try {
    return new GuardedChild({
      command: userShell(env),
      args: ['-c', command],
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // No Node guardian per command: the run-wide watchdog covers a harness that dies.
      watched: true,
    });
  } catch (error) {
    return errorMessage(error);
  }
}

export function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const started = Date.now();
  const base = { command: options.command, signal: null, output: '', droppedBytes: 0 };
  if (options.command.trim() === '') {
    return Promise.resolve({ ...base, outcome: 'skipped', exitCode: null, durationMs: 0 });
  }
  const env = options.env ?? process.env;
  const tail = new TailBuffer(options.maxOutputBytes ?? DEFAULT_OUTPUT_CAP);

  return new Promise((resolve) => {
    const guarded = startGuarded(options.command, options.cwd, env);
    if (typeof guarded === 'string') {
      resolve({ ...base, outcome: 'failed', exitCode: null, durationMs: 0, spawnError: guarded });
      return;
    }
    const child = guarded.process;
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const onChunk = (chunk: Buffer) => {
      tail.push(chunk);
      options.onOutput?.(chunk.toString('utf8'));
    };
    child.stdout!.on('data', onChunk);
    child.stderr!.on('data', onChunk);

    const stop = (why: 'timeout' | 'abort') => {
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      void guarded.stop(STOP_GRACE_MS);
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutSeconds * 1000);
    const onAbort = () => stop('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        command: options.command,
        outcome: aborted ? 'aborted' : timedOut ? 'timed_out' : exitCode === 0 ? 'passed' : 'failed',
        exitCode,
        signal,
        output: tail.text(),
        droppedBytes: tail.droppedBytes,
        durationMs: Date.now() - started,
        ...(spawnError ? { spawnError } : {}),
      });
    };

    child.on('error', (error) => finish(null, null, error.message));
    let closed = false;
    child.on('close', () => {
      closed = true;
    });
    child.on('exit', (code, signal) => {
      // What the command left running is swept before its end is reported (waitForExit), so the
      // pipes close at once; a process that escaped the sweep may still hold them: give up on it
      // after a moment.
      void guarded.waitForExit().then(() => {
        if (closed) {
          finish(code, signal);
          return;
        }
        const drain = setTimeout(() => {
          child.stdout!.destroy();
          child.stderr!.destroy();
          finish(code, signal);
        }, PIPE_DRAIN_MS);
        child.on('close', () => {
          clearTimeout(drain);
          finish(code, signal);
        });
      });
    });
  });
}
