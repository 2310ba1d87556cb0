/**
 * The iteration in progress as the persistent state records it: written before any agent work,
 * again after every step with HEAD as that step left it, and the moment the iteration's commit is
 * made (withdrawn again if a visual review vetoes it). After a crash this record is what recovery
 * works from (docs/iteration.md): commits below the recorded HEAD were made during the iteration,
 * a recorded commit stays.
 */
import type { HarnessState, InProgressIteration, StateStore } from '../runtime/state.js';

export interface InProgressChange {
  head?: string | undefined;
  /** The iteration's commit; null withdraws it (a veto took it back). */
  commit?: string | null;
}

export class InProgressRecord {
  private readonly store: StateStore;
  private current: HarnessState;

  constructor(store: StateStore, state: HarnessState) {
    this.store = store;
    this.current = state;
  }

  /** The persistent state with this iteration recorded as in progress. */
  get state(): HarnessState {
    return this.current;
  }

  /** Records what changed, and saves the state when anything did. */
  async note(change: InProgressChange): Promise<void> {
    const record = this.current.inProgress;
    if (!record) return;
    const next: InProgressIteration = { ...record };
    if (change.head !== undefined) next.head = change.head;
    if (change.commit === null) delete next.commit;
    else if (change.commit !== undefined) next.commit = change.commit;
    if (next.head === record.head && next.commit === record.commit) return;
    this.current = { ...this.current, inProgress: next, updatedAt: new Date().toISOString() };
    await this.store.save(this.current);
  }
}
