/**
 * `/api/state` is what the page waits for before its first render: however long the run, it stays
 * the same size (the latest iterations, commits and rescues; no per-iteration series, which comes
 * after the first render from `/api/series`).
 */
import { describe, expect, it } from 'vitest';
import type { ShownRun } from '../../src/dashboard/board.js';
import { seriesPayload, statePayload } from '../../src/dashboard/state.js';
import type { ReadEvent } from '../../src/journal/decode.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { stalledIteration, succeededIteration } from '../helpers/journal.js';

/** A run of `iterations` iterations: three in four commit, the fourth stalls and is rescued. */
function shownRun(iterations: number): ShownRun {
  const bodies: Record<string, unknown>[] = [{ type: 'run_start', command: 'run', pid: 1, repoRoot: '/repo' }];
  for (let n = 1; n <= iterations; n++) {
    const sha = n.toString(16).padStart(40, '0');
    if (n % 4 !== 0) bodies.push(...succeededIteration(n, `task ${n % 40}`, sha));
    else {
      bodies.push(...stalledIteration(n, `task ${n % 40}`));
      bodies.push({ type: 'rescue', iteration: n, ref: `refs/pi-harness/rescue/${n}`, commit: sha, files: ['a.ts'] });
    }
  }
  const fold = new JournalFold();
  bodies.forEach((body, index) => {
    const at = new Date(Date.parse('2026-01-01T00:00:00Z') + index * 1000).toISOString();
    fold.apply({ v: 1, runId: 'run', at, seq: index + 1, ...body } as unknown as ReadEvent);
  });
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
  });
});
