/**
 * How a `once` or `run` ended, and the exit-code table of the command line. The loop returns a
 * `LoopOutcome` and never picks a number; `exitCodeOf` is the one mapping, used by the CLI for the
 * process and by the loop for the number the journal's `run_end` records.
 */

export const EXIT = {
  /** The iteration (or every iteration of `run`) succeeded, or nothing was left to do. */
  ok: 0,
  /** An iteration ended failed, stalled or blocked. */
  iterationFailed: 1,
  /** Usage or configuration error (also: a command that is not built yet). */
  usage: 2,
  /** Another run holds the lock. */
  locked: 3,
  /** A preflight check failed. */
  preflight: 4,
  /** Stopped by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The worst thing that happened to the iterations of a run. */
export type RunResult = 'succeeded' | 'failed' | 'interrupted';

/** Why a run stopped iterating. */
export type StopKind =
  | 'all_done'
  | 'all_parked'
  | 'once_done'
  | 'max_iterations'
  | 'budget'
  | 'breaker'
  | 'provider_auth'
  /** A parallel run's worktree could not be made ready for tests (its setup command failed). */
  | 'setup_failed'
  | 'signal';

export type LoopOutcome =
  /** Every task was done before the run started: nothing was locked or written. */
  | { kind: 'nothing_to_do' }
  /**
   * The run did not start: no commit yet, a failed preflight check, a dirty work tree, or a parallel
   * run asked for on a detached HEAD (it needs a branch to merge onto).
   */
  | { kind: 'refused'; why: 'no_commit' | 'preflight' | 'dirty_tree' | 'detached_head' }
  /** Another run holds the lock. */
  | { kind: 'locked' }
  | { kind: 'ran'; result: RunResult; stop: StopKind; iterations: number; succeeded: number };

export function exitCodeOf(outcome: LoopOutcome): ExitCode {
  switch (outcome.kind) {
    case 'nothing_to_do':
      return EXIT.ok;
    case 'refused':
      return EXIT.preflight;
    case 'locked':
      return EXIT.locked;
    case 'ran':
      return outcome.result === 'succeeded'
        ? EXIT.ok
        : outcome.result === 'interrupted'
          ? EXIT.interrupted
          : EXIT.iterationFailed;
  }
}
