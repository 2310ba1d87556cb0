/** The exit-code table of SPEC §2, declared once. */
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
