/** The saved fold: restored and continued, it says what folding the whole journal says; a stale one is not used. */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldJournal, foldSnapshotFileOf } from '../../src/journal/fold-snapshot.js';
import { saveFoldSnapshot } from '../../src/journal/fold-snapshot-save.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { readJournalFile } from '../../src/journal/read.js';
import { statusOf } from '../../src/report/status.js';
import { tempDir } from '../helpers/temp-dir.js';
import { succeededIteration, stalledIteration } from '../helpers/journal.js';

function line(body: Record<string, unknown>, seq: number): string {
  return `${JSON.stringify({ v: 1, runId: 'r1', at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), seq, ...body })}\n`;
}

async function journalWith(bodies: Record<string, unknown>[]): Promise<string> {
  const dir = path.join(await tempDir(), 'r1');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'journal.jsonl');
  writeFileSync(file, bodies.map((body, index) => line(body, index + 1)).join(''));
  return file;
}

const status = (fold: JournalFold) =>
  statusOf(fold, { repo: '/r', active: true, staleLock: null, now: Date.parse('2026-01-02') });

describe('fold snapshot', () => {
  it('restored and continued with the events after it, it folds to the same status as the whole journal', async () => {
    const first = [
      { type: 'run_start', command: 'run', pid: 1, repoRoot: '/r', transport: 'rpc', version: 't' },
      ...succeededIteration(1, 'One', 'a'.repeat(40)),
    ];
    const file = await journalWith(first);
    const partial = new JournalFold();
    for (const event of readJournalFile(file).events) partial.apply(event);
    saveFoldSnapshot(file, partial, first.length);
    const later = [
      ...stalledIteration(2, 'Two'),
      { type: 'control_received', id: 'c1', action: 'pause', source: 'cli', detail: 'pausing' },
    ];
    for (const [index, body] of later.entries()) appendFileSync(file, line(body, first.length + index + 1));

    const whole = new JournalFold();
    for (const event of readJournalFile(file).events) whole.apply(event);
    const fromSnapshot = foldJournal(file);
    expect(status(fromSnapshot)).toEqual(status(whole));
    expect(fromSnapshot.iterations.map((it) => it.iteration)).toEqual([1, 2]);
    expect(fromSnapshot.control.requests.map((request) => request.id)).toEqual(['c1']);
  });

  it('a snapshot the journal does not continue (rewritten journal) is ignored', async () => {
    const bodies = [
      { type: 'run_start', command: 'run', pid: 1, repoRoot: '/r', transport: 'rpc', version: 't' },
      ...succeededIteration(1, 'One', 'b'.repeat(40)),
    ];
    const file = await journalWith(bodies);
    const fold = new JournalFold();
    for (const event of readJournalFile(file).events) fold.apply(event);
    saveFoldSnapshot(file, new JournalFold(), 999); // an empty fold claiming a sequence number the journal never reaches
    const read = foldJournal(file);
    expect(read.run.ended).toBe(1);
    writeFileSync(foldSnapshotFileOf(file), '{not json');
    expect(foldJournal(file).run.ended).toBe(1);
  });
});
