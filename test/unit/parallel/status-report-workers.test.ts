import { describe, expect, it } from 'vitest';
import type { JournalFold } from '../../../src/journal/fold/fold.js';
import { foldedRun } from '../../../src/report/from-fold.js';
import { renderReport } from '../../../src/report/render-text.js';
import { statusOf } from '../../../src/report/status.js';
import { renderStatus } from '../../../src/report/status-text.js';
import { createStyle } from '../../../src/report/style.js';
import type { ReportDocument } from '../../../src/report/types.js';
import { ended, events, foldOf, interleaved, start, task } from './worker-events-fixture.js';

const NOW = Date.parse('2026-01-01T00:00:30Z');
const context = { repo: '/r', active: true, staleLock: null, now: NOW };

/** Two workers mid-turn, then a third that finished first and is being merged. */
function threeWorkers(): JournalFold {
  const fold = foldOf(interleaved());
  const e = events();
  for (const event of start(e, 'w3', 3)) fold.apply({ ...event, seq: 100 + event.seq });
  fold.apply(ended(e, 'w3', 3, 'succeeded'));
  return fold;
}

describe('status of a parallel run', () => {
  it('gives one entry per worker with its task, step and turn in flight, and the merge queue', () => {
    const doc = statusOf(threeWorkers(), context);
    expect(doc.workers?.map((w) => [w.worker, w.taskId, w.step, w.turn?.role ?? null])).toEqual([
      ['w1', 't-1', 'developer turn', 'developer'],
      ['w2', 't-2', 'tester turn', 'tester'],
      ['w3', 't-3', 'merging', null],
    ]);
    expect(doc.workers?.[0]?.turn).toMatchObject({ toolCalls: 2, lastTool: 'bash', elapsedMs: 25_000 });
    expect(doc.mergeQueue).toEqual({ merging: 'w3', waiting: [] });
    const text = renderStatus(doc, NOW);
    expect(text).toContain(
      '  [w1] iteration 1: Task 1 — developer turn · turn developer, 25s, 2 tool calls (last: bash)',
    );
    expect(text).toContain(
      '  [w2] iteration 2: Task 2 — tester turn · turn tester, 22s, 1 tool calls (last: read b.ts)',
    );
    expect(text).toContain('  [w3] iteration 3: Task 3 — merging\n');
    expect(text).toContain('  merge queue: merging w3\n');
    // The run-wide turn line would name only one of the workers' turns: it gives way to theirs.
    expect(text).not.toContain('  turn:');
    // w3's task waits to merge: not done until the merge queue ticks it.
    expect(text).toContain('  tasks: 3 current\n');
  });

  it('leaves a sequential run as it was: no workers, no merge queue in the document or the text', () => {
    const e = events();
    const fold = foldOf([
      e({ type: 'run_start', command: 'run', pid: 1, repoRoot: '/r', version: '0', transport: 'rpc' }),
      e({ type: 'iteration_start', iteration: 1, task: task(1), startCommit: 'b', preDirty: [] }),
      e({ type: 'turn_start', iteration: 1, role: 'developer', step: 'developer', model: 'm' }),
    ]);
    const doc = statusOf(fold, context);
    expect('workers' in doc || 'mergeQueue' in doc).toBe(false);
    const text = renderStatus(doc, NOW);
    expect(text).toContain('  iteration 1: Task 1 [One] — developer turn\n  turn: developer on m, 27s');
    expect(text).not.toContain('merge queue');
  });
});

describe('report of a parallel run', () => {
  it("sums each worker's tasks, iterations and merges, and names each iteration's worker", () => {
    const fold = threeWorkers();
    const e = events();
    const at = (n: number) => ({ seq: 200 + n });
    fold.apply({ ...ended(e, 'w1', 1, 'succeeded'), ...at(1) });
    fold.apply({
      ...e({
        type: 'merge',
        worker: 'w3',
        iteration: 3,
        task: task(3),
        outcome: 'merged',
        from: 'f',
        onto: 'o',
        commit: 'c',
      }),
      ...at(2),
    });
    fold.apply({
      ...e({
        type: 'merge',
        worker: 'w1',
        iteration: 1,
        task: task(1),
        outcome: 'conflict',
        from: 'f',
        onto: 'c',
        detail: 'a.ts',
      }),
      ...at(3),
    });
    const folded = foldedRun(fold, { journal: 'j', malformedLines: 0, liveRunId: null, now: new Date(NOW) });
    expect(folded.run.workers).toEqual([
      { worker: 'w1', tasks: 1, iterations: 1, succeeded: 1, merged: 0, conflicts: 1, verifyFailed: 0 },
      { worker: 'w2', tasks: 1, iterations: 1, succeeded: 0, merged: 0, conflicts: 0, verifyFailed: 0 },
      { worker: 'w3', tasks: 1, iterations: 1, succeeded: 1, merged: 1, conflicts: 0, verifyFailed: 0 },
    ]);
    expect(folded.iterations.map((it) => it.worker)).toEqual(['w1', 'w2', 'w3']);
    const doc = {
      schemaVersion: 1,
      generatedAt: new Date(NOW).toISOString(),
      repoRoot: '/r',
      runtimeDir: '/r/.git/pi-harness',
      empty: false,
      history: { runsTotal: 1, runsShown: 1, iterationsShown: 3, malformedLines: 0 },
      totals: {
        iterations: 3,
        succeeded: 2,
        failed: 0,
        byStatus: {},
        usage: folded.run.usage,
        modelRequests: 0,
        durationMs: 0,
        integrityFindings: 0,
        guardrails: folded.run.guardrails,
      },
      runs: [folded.run],
      iterations: [...folded.iterations].reverse(),
      parkedTasks: [],
      inProgress: null,
      rescueRefs: { total: 0, refs: [] },
      largeFiles: [],
      failureArtifacts: { dir: 'x', total: 0, paths: [] },
      hotspots: { byRole: [], byModel: [], byTool: [], byFile: [] },
      warnings: [],
    } satisfies ReportDocument;
    const text = renderReport(doc, createStyle(false));
    expect(text).toContain('worker w1: 1 task(s), 1 iteration(s) (1 succeeded), 0 merged, 1 conflict(s)');
    expect(text).toContain('worker w3: 1 task(s), 1 iteration(s) (1 succeeded), 1 merged\n');
    expect(text).toMatch(/\[w2\] One \/ Task 2/);
  });
});
