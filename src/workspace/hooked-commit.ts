/**
 * The harness's own `git commit` with the repository's commit hooks. The hooks are the repository's
 * quality gates (formatters, linters, message checks), so a commit the harness makes for the user
 * goes through them as the user's own would. They run from the copy taken at run start — never from
 * `.git/hooks` as it is now, where an agent may have planted one — and within a time limit: a hook
 * that waits for a terminal or hangs would otherwise stall an unattended run. git runs under the
 * process guardian, so a hook's children (a daemon it started, a `setsid` helper) end with it.
 */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { GuardedChild } from '../process/guarded-child.js';
import { HARNESS_GIT_SAFETY_ARGS } from './git.js';

/** Where the run-start copy of the hooks is, and how long a hooked commit may take. */
export interface CommitHooks {
  dir: string;
  timeoutMs: number;
}

/** The hooks that can refuse a commit (post-commit runs after it and cannot). */
const REFUSING_HOOKS = ['pre-commit', 'prepare-commit-msg', 'commit-msg'] as const;

/** The hooks in `dir` that can refuse a commit and that git would run (present and executable). */
export async function refusingHooks(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const hook of REFUSING_HOOKS) {
    try {
      await access(path.join(dir, hook), constants.X_OK);
      found.push(hook);
    } catch {
      // absent or not executable: git skips it too
    }
  }
  return found;
}

/** A commit the repository's hooks refused (or that did not finish in time). */
export class CommitHookError extends Error {
  readonly hooks: readonly string[];
  readonly output: string;
  readonly timedOut: boolean;

  constructor(hooks: readonly string[], output: string, timedOut: boolean, timeoutMs: number) {
    const which = hooks.join(', ');
    super(
      timedOut
        ? `the repository's commit hooks (${which}) did not finish within ${Math.round(timeoutMs / 1000)}s`
        : `the repository's commit hooks (${which}) refused the commit`,
    );
    this.name = 'CommitHookError';
    this.hooks = hooks;
    this.output = output;
    this.timedOut = timedOut;
  }
}

const OUTPUT_CAP = 256 * 1024;

interface HookedRun {
  code: number | null;
  output: string;
  timedOut: boolean;
}

function runGuardedGit(cwd: string, args: readonly string[], hooks: CommitHooks): Promise<HookedRun> {
  const guarded = new GuardedChild({
    command: 'git',
    args: [...HARNESS_GIT_SAFETY_ARGS, '-c', `core.hooksPath=${hooks.dir}`, ...args],
    cwd,
    // Never an editor, a pager or a credential prompt: nobody is there to answer.
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', GIT_PAGER: 'cat' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // No Node guardian per commit: the run-wide watchdog covers a harness that dies.
    watched: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_CAP);
  };
  guarded.process.stdout!.on('data', collect);
  guarded.process.stderr!.on('data', collect);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void guarded.stop(1000);
  }, hooks.timeoutMs);
  return new Promise((resolve) => {
    // Reported once what the hooks left running has been swept (waitForExit).
    const done = (code: number | null) => {
      clearTimeout(timer);
      void guarded.waitForExit().then(() => resolve({ code, output, timedOut }));
    };
    guarded.process.once('close', done);
    // A process that escaped the sweep may hold the pipes: do not wait on it for long.
    guarded.process.once('exit', (code) => {
      setTimeout(() => {
        guarded.process.stdout!.destroy();
        guarded.process.stderr!.destroy();
        done(code);
      }, 1500).unref();
    });
  });
}

/**
 * Runs `git <args>` (a commit) with the run-start hooks. Returns git's output; throws
 * CommitHookError when a refusing hook is present and the commit failed or timed out, and a plain
 * Error when git failed with no such hook to blame.
 */
export async function commitWithHooks(cwd: string, args: readonly string[], hooks: CommitHooks): Promise<string> {
  const present = await refusingHooks(hooks.dir);
  const run = await runGuardedGit(cwd, args, hooks);
  if (run.code === 0 && !run.timedOut) return run.output;
  if (present.length > 0) throw new CommitHookError(present, run.output, run.timedOut, hooks.timeoutMs);
  throw new Error(`git ${args.join(' ')} failed${run.timedOut ? ' (timed out)' : ''}: ${run.output.trim()}`);
}
