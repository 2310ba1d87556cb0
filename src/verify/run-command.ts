/**
 * Runs a command the user configured (testCommand, visualCaptureCommand) through their shell, in
 * its own process group, with a time limit and a cap on the output kept. The command string is
 * the user's own; the harness never builds a shell string from its own data — values it wants to
 * hand over go in `env`.
 */
import { spawn } from 'node:child_process';
import { terminateGroup } from '../process/group.js';
import type { CommandOutcome } from '../vocabulary/commands.js';
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
/** After the shell exits, how long stray processes holding its pipes get before they are killed. */
const PIPE_DRAIN_MS = 1500;

function userShell(env: NodeJS.ProcessEnv): string {
  return env.SHELL?.startsWith('/') ? env.SHELL : '/bin/sh';
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
    const child = spawn(userShell(env), ['-c', options.command], {
      cwd: options.cwd,
      env,
      detached: true, // its own process group, so the whole tree can be signalled
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const onChunk = (chunk: Buffer) => {
      tail.push(chunk);
      options.onOutput?.(chunk.toString('utf8'));
    };
    child.stdout.on('data', onChunk);
    child.stderr.on('data', onChunk);

    const stop = (why: 'timeout' | 'abort') => {
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      if (child.pid) void terminateGroup(child.pid);
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
      const outcome: CommandOutcome = aborted
        ? 'aborted'
        : timedOut
          ? 'timed_out'
          : exitCode === 0
            ? 'passed'
            : 'failed';
      resolve({
        command: options.command,
        outcome,
        exitCode,
        signal,
        output: tail.text(),
        droppedBytes: tail.droppedBytes,
        durationMs: Date.now() - started,
        ...(spawnError ? { spawnError } : {}),
      });
    };

    child.on('error', (error) => finish(null, null, error.message));
    child.on('exit', (code, signal) => {
      // A background process the command started may still hold the pipes open; give it a moment
      // to finish writing, then end the group so 'close' cannot wait forever.
      const drain = setTimeout(() => {
        if (child.pid) void terminateGroup(child.pid, 500);
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      }, PIPE_DRAIN_MS);
      child.on('close', () => {
        clearTimeout(drain);
        finish(code, signal);
        // Nothing the command left running in the background may outlive it.
        if (child.pid) void terminateGroup(child.pid, 500);
      });
    });
  });
}
