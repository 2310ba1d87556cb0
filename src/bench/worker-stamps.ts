/**
 * What a parallel run (`run --parallel N`) adds to the journal, as the bench reads it: the worker
 * id stamped on each event a worker appended, and the merge queue's `merge` verdict per iteration.
 * Read structurally, not through the event union: the bench builds, and measures a sequential run,
 * whether or not this checkout's journal vocabulary has the parallel events yet (a journal whose
 * events carry no worker is a sequential run).
 */
import type { ReadEvent } from '../journal/decode.js';

interface Stamped {
  type: string;
  worker?: unknown;
  outcome?: unknown;
}

/** The parallel run's worker that appended `event` (or that a `merge` verdict is about); undefined: none. */
export function workerOf(event: ReadEvent): string | undefined {
  const { worker } = event as unknown as Stamped;
  return typeof worker === 'string' && worker !== '' ? worker : undefined;
}

/** The merge queue's verdict (`merged`, `conflict`, `verify_failed`) when `event` is a `merge` event. */
export function mergeOutcomeOf(event: ReadEvent): string | undefined {
  const { type, outcome } = event as unknown as Stamped;
  return type === 'merge' && typeof outcome === 'string' ? outcome : undefined;
}
