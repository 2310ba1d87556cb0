/**
 * Writing the saved fold (see `fold-snapshot.ts`, which reads it): the live run's side, kept apart
 * so that `status`, which only reads, loads nothing it needs only to write (the atomic write's
 * random names come from node:crypto).
 */
import { statSync } from 'node:fs';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import type { JournalEvent } from './events.js';
import { foldSnapshotFileOf, type SavedSnapshot } from './fold-snapshot.js';
import type { JournalFold } from './fold/fold.js';

/** The iterations a saved snapshot keeps (the latest); older ones are only in the journal. */
const SNAPSHOT_ITERATIONS = 200;
const SNAPSHOT_OUTPUT_CHARS = 4000;

/**
 * Saves `fold`, which has folded the journal up to its event `seq` — the journal's last line right
 * now (only the journal's own writer can say that; the loop bench's fixture replays it the same way).
 */
export function saveFoldSnapshot(journalFile: string, fold: JournalFold, seq: number): void {
  const saved: SavedSnapshot = {
    version: 1,
    offset: statSync(journalFile).size,
    seq,
    fold: fold.snapshot({ iterations: SNAPSHOT_ITERATIONS, outputChars: SNAPSHOT_OUTPUT_CHARS }),
  };
  writeFileAtomicSync(foldSnapshotFileOf(journalFile), JSON.stringify(saved));
}

/** A journal listener that saves the run's fold after each iteration and at the end. */
export function foldSnapshotWriter(journalFile: string, fold: JournalFold, onError: (error: unknown) => void) {
  return (event: JournalEvent): void => {
    if (event.type !== 'iteration_end' && event.type !== 'run_end' && event.type !== 'task_list') return;
    try {
      saveFoldSnapshot(journalFile, fold, event.seq);
    } catch (error) {
      onError(error);
    }
  };
}
