import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLine } from '../../../src/journal/decode.js';
import { JournalFold } from '../../../src/journal/fold/fold.js';
import { formatLogLine } from '../../../src/journal/render/log-lines.js';
import { consoleView } from '../../../src/journal/render/console.js';
import { Journal } from '../../../src/journal/writer.js';
import { iterationReport } from '../../../src/report/from-fold.js';
import { tempDir } from '../../helpers/temp-dir.js';

const task = { id: 't-a', text: 'Add alpha', phase: 'One', line: 3 };

describe('a parallel run in the journal', () => {
  it("stamps each worker's events with its id, in one sequence, and folds where each worker stands", async () => {
    const dir = await tempDir();
    const journal = new Journal(path.join(dir, 'journal.jsonl'), 'run-p');
    const fold = new JournalFold('run-p');
    const lines: string[] = [];
    journal.onEvent((event) => fold.apply(event));
    journal.onEvent(consoleView({ write: (line) => lines.push(line), fold, journal: 'journal.jsonl' }));
    const w1 = journal.forWorker('w1');
    const w2 = journal.forWorker('w2');
    journal.append({ type: 'run_start', command: 'run', pid: 1, repoRoot: dir, transport: 'rpc', version: '0' });
    for (const [view, id, iteration] of [
      [w1, 'w1', 1],
      [w2, 'w2', 2],
    ] as const) {
      const t = { ...task, id: `t-${iteration}` };
      view.append({
        type: 'worker_start',
        worker: id,
        iteration,
        task: t,
        baseCommit: 'b'.repeat(40),
        branch: 'x',
        worktree: 'y',
      });
      view.append({ type: 'iteration_start', iteration, task: t, startCommit: 'b'.repeat(40), preDirty: [] });
    }
    w2.append({
      type: 'iteration_end',
      iteration: 2,
      task: { ...task, id: 't-2' },
      status: 'succeeded',
      reason: 'committed',
      durationMs: 5,
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 },
      recorded: 'succeeded',
      changedFiles: [],
      notes: [],
      largeFiles: [],
      needsRescue: false,
    });
    journal.append({
      type: 'merge',
      worker: 'w2',
      iteration: 2,
      task: { ...task, id: 't-2' },
      outcome: 'merged',
      from: 'f'.repeat(40),
      onto: 'b'.repeat(40),
      commit: 'c'.repeat(40),
    });
    const decoded = readFileSync(journal.file, 'utf8')
      .trim()
      .split('\n')
      .map((line, index) => decodeLine(line, { position: index + 1 }));
    const events = decoded.map((d) => (d.kind === 'event' ? d.event : undefined));
    expect(events.map((e) => e?.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events.map((e) => e?.worker)).toEqual([undefined, 'w1', 'w1', 'w2', 'w2', 'w2', 'w2']);
    // Folding the file gives what the live fold has.
    const fromFile = new JournalFold('run-p');
    for (const event of events) fromFile.apply(event!);
    // `status` and the dashboard go on from a saved snapshot of the fold: the workers travel with it.
    const restored = JournalFold.restore(JSON.parse(JSON.stringify(fold.snapshot())));
    for (const f of [fold, fromFile, restored]) {
      expect(f.iteration(1)?.worker).toBe('w1');
      expect(f.workers.get('w1')).toMatchObject({ phase: 'working', iteration: 1 });
      expect(f.workers.get('w2')).toMatchObject({ phase: 'merged', mergedCount: 1, merged: 'c'.repeat(40) });
    }
    expect(iterationReport(fold.iteration(1)!, true, new Date()).worker).toBe('w1');
    expect(lines).toContain('\n[w1] iteration 1 — One / Add alpha');
    expect(lines).toContain(`[w2] merge queue: merged "Add alpha" onto bbbbbbbbbb: the start branch is at cccccccccc`);
    expect(formatLogLine(events[1]!)).toMatch(/#2 \[w1\] worker_start: worker w1 iteration 1/);
  });

  it('reads a merge event with a mistyped outcome without the outcome, and a worker stamp that is no string as none', () => {
    const line = JSON.stringify({ type: 'merge', worker: 3, iteration: 1, outcome: 'exploded', from: 'a', onto: 'b' });
    const decoded = decodeLine(line, { position: 1 });
    expect(decoded.kind).toBe('event');
    if (decoded.kind !== 'event') return;
    expect(decoded.event.worker).toBeUndefined();
    expect('outcome' in decoded.event).toBe(false);
  });
});
