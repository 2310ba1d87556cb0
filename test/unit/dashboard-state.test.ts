/**
 * `/api/state` is what the page waits for before its first render: however long the run, it stays
 * the same size (the latest iterations, commits and rescues; no per-iteration series, which comes
 * after the first render from `/api/series`).
 */
import { describe, expect, it } from 'vitest';
import type { ShownRun } from '../../src/dashboard/board.js';
import { seriesPayload, statePayload } from '../../src/dashboard/state.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { eventList, TASK_1, usage } from '../helpers/journal-events.js';

function shownRun(iterations: number): ShownRun {
  const list = eventList();
  list.add({ type: 'run_start', command: 'run', pid: 1, repoRoot: '/repo' });
  for (let n = 1; n <= iterations; n++) {
    list.add({ type: 'iteration_start', iteration: n, task: TASK_1 });
    list.add({ type: 'turn_start', iteration: n, role: 'developer', step: 'developer' });
    list.add({ type: 'turn_end', iteration: n, role: 'developer', status: 'success', usage: usage(900, 100) });
    const sha = n.toString(16).padStart(40, '0');
    if (n % 4 === 0) list.add({ type: 'rescue', iteration: n, ref: `refs/pi-harness/rescue/${n}`, commit: sha });
    else list.add({ type: 'commit', iteration: n, commit: sha, by: 'harness', files: ['a.ts'], message: `task ${n}` });
    const ok = n % 4 !== 0;
    list.add({
      type: 'iteration_end',
      iteration: n,
      status: ok ? 'succeeded' : 'failed',
      reason: ok ? 'committed' : 'verification_failed',
      durationMs: 60_000,
      usage: usage(900, 100),
    });
  }
  const fold = new JournalFold();
  for (const event of list.events) fold.apply(event);
  return { runId: 'run', journal: '', fold, live: false, inboxDir: null, ready: Promise.resolve() };
}

describe('the state the page starts from', () => {
  it('stays the same size from 1,000 iterations to 10,000; the series comes apart', () => {
    const small = shownRun(1000);
    const large = shownRun(10_000);
    const bytes = (shown: ShownRun) => JSON.stringify(statePayload(shown)).length;
    const state = statePayload(large);
    expect(state.fold?.iterations).toHaveLength(100);
    expect(state.fold?.omittedIterations).toBe(9900);
    expect(state.fold?.run.commits.length).toBeLessThanOrEqual(100);
    expect(state.fold?.run.rescues.length).toBeLessThanOrEqual(100);
    expect(state).not.toHaveProperty('series');
    // The run's own counts grow by a few digits; nothing grows with the number of iterations.
    expect(bytes(large)).toBeLessThan(bytes(small) * 1.02);
    expect(bytes(large)).toBeLessThan(250_000);
    const { series } = seriesPayload(large);
    expect(series?.iteration).toHaveLength(10_000);
    expect(series?.tokens.at(-1)).toBe(1000);
  });
});
