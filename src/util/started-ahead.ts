/**
 * A promise started ahead of the place that awaits it (a read beside other work, a write while the
 * tree is read). Its rejection is marked handled now: a failure before anyone awaits it would
 * otherwise be an unhandled rejection, which ends the process. It surfaces where it is awaited; if
 * the plan changed and nothing awaits it, it is dropped.
 */
export function startedAhead<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
