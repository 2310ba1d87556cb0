/**
 * Work that must not overlap (git's index or worktree bookkeeping, the start branch's move, a lock
 * file's rewrite), run in the order it was asked for. A failure is its caller's; the next piece of
 * work runs all the same.
 */
export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Settles (never rejects) once everything asked for so far has ended. */
  idle(): Promise<unknown> {
    return this.tail;
  }
}
