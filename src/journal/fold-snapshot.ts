/**
 * A saved copy of a run's fold next to its journal, so that `status` (a fresh process, expected to
 * answer in a fraction of a second) need not decode a long journal from the start: it restores the
 * snapshot and folds only the events appended after it.
 *
 * The live run writes it (a journal listener) after every iteration and at the end, with the
 * journal's size and last sequence number at that moment — exact, because appends are synchronous
 * and this process is the journal's only writer. A reader trusts it only when the journal agrees:
 * the line at that offset must carry the next sequence number (or, at the end of the file, the last
 * line must carry the snapshot's). Anything else — no snapshot, a damaged one, a journal rewritten —
 * falls back to folding the whole journal, so the answer is the same either way.
 *
 * This module only reads (what `status` loads); `fold-snapshot-save.ts` writes.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { isObject } from '../util/json.js';
import { decodeLine } from './decode.js';
import { JournalFold, type FoldSnapshot } from './fold/fold.js';
import { readJournalFile } from './read.js';

export const FOLD_SNAPSHOT_FILE = 'fold-snapshot.json';

export interface SavedSnapshot {
  version: 1;
  /** The journal's size in bytes and its last event's sequence number when the snapshot was taken. */
  offset: number;
  seq: number;
  fold: FoldSnapshot;
}

export function foldSnapshotFileOf(journalFile: string): string {
  return path.join(path.dirname(journalFile), FOLD_SNAPSHOT_FILE);
}

function readSaved(journalFile: string): SavedSnapshot | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(foldSnapshotFileOf(journalFile), 'utf8'));
    if (!isObject(value) || value.version !== 1 || typeof value.offset !== 'number' || typeof value.seq !== 'number')
      return undefined;
    return isObject(value.fold) ? (value as unknown as SavedSnapshot) : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes [start, end) of a file. */
function readRange(file: string, start: number, end: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, end - start));
    const read = readSync(fd, buffer, 0, buffer.length, start);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** The events after the snapshot, or undefined when the journal does not continue it. */
function eventsAfter(journalFile: string, saved: SavedSnapshot) {
  const size = statSync(journalFile).size;
  if (saved.offset > size || saved.offset <= 0) return undefined;
  if (saved.offset === size) {
    const tail = readRange(journalFile, Math.max(0, size - 64 * 1024), size)
      .toString('utf8')
      .trimEnd();
    const last = decodeLine(tail.slice(tail.lastIndexOf('\n') + 1), { position: 0 });
    return last.kind === 'event' && last.event.seq === saved.seq ? [] : undefined;
  }
  if (readRange(journalFile, saved.offset - 1, saved.offset)[0] !== 0x0a) return undefined;
  const text = readRange(journalFile, saved.offset, size).toString('utf8');
  const runId = path.basename(path.dirname(journalFile));
  const events = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const decoded = decodeLine(line, { runId, position: saved.seq + events.length + 1 });
    if (decoded.kind === 'event') events.push(decoded.event);
  }
  return events[0] === undefined || events[0].seq === saved.seq + 1 ? events : undefined;
}

/** The fold of a whole journal: from its saved snapshot when the journal continues it, else from the start. */
export function foldJournal(journalFile: string): JournalFold {
  const saved = readSaved(journalFile);
  if (saved) {
    try {
      const after = eventsAfter(journalFile, saved);
      if (after) {
        const fold = JournalFold.restore(saved.fold, { adopt: true });
        for (const event of after) fold.apply(event);
        return fold;
      }
    } catch {
      // a snapshot that cannot be used is no snapshot
    }
  }
  const fold = new JournalFold();
  for (const event of readJournalFile(journalFile).events) fold.apply(event);
  return fold;
}
