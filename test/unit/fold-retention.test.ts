/**
 * What the fold keeps of a long run's iterations must stay small per iteration: a night of 500
 * iterations holds every iteration's facts, and the test outputs were most of them. The run's
 * figures stay exact whatever is cut.
 */
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { ReadEvent } from '../../src/journal/decode.js';
import { KEPT_OUTPUT_CHARS, OLD_OUTPUT_CHARS, RECENT_OUTPUT_ITERATIONS } from '../../src/journal/fold/facts.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { eventList, RUN_ID, usage } from '../helpers/journal-events.js';

/** A test run's output of about 12 kB, different for each iteration. */
const testOutput = (n: number) => `${`ok ${n} - a test of iteration ${n}\n`.repeat(400)}# pass ${n}\n# fail 0\n`;

function iterations(count: number): ReadEvent[] {
  const list = eventList();
  list.add({ type: 'run_start', command: 'run', pid: 1, repoRoot: '/repo', transport: 'rpc', version: '0' });
  for (let n = 1; n <= count; n++) {
    const task = { id: `task-${n}`, text: `Task ${n}`, phase: null, line: n };
    list.add({ type: 'iteration_start', iteration: n, task, startCommit: 'a'.repeat(40), preDirty: [] });
    const output = testOutput(n);
    list.add({
      type: 'verification',
      iteration: n,
      after: 'developer',
      outcome: 'passed',
      exitCode: 0,
      durationMs: 5,
      command: 'npm test',
      outputTail: '',
      output,
    });
    list.add({
      type: 'iteration_end',
      iteration: n,
      task,
      status: n % 10 === 0 ? 'failed' : 'succeeded',
      reason: n % 10 === 0 ? 'verification_failed' : 'committed',
      durationMs: 20,
      usage: usage(100 + n, 10, 0.001),
      recorded: n % 10 === 0 ? 'failed' : 'succeeded',
      changedFiles: [],
      notes: [],
      largeFiles: [],
      needsRescue: false,
    });
  }
  return list.events as ReadEvent[];
}

/** Bytes the fold holds, as plain data (what its snapshot carries). */
const heldBytes = (fold: JournalFold) => serialize(fold.snapshot()).length;

describe('a long run in the fold', () => {
  it('keeps long output tails for the latest iterations only, and the run figures exact', () => {
    const events = iterations(130);
    const fold = new JournalFold(RUN_ID);
    let at70 = 0;
    for (const event of events) {
      fold.apply(event);
      if (event.type === 'iteration_end' && event.iteration === 70) at70 = heldBytes(fold);
    }
    const perIteration = (heldBytes(fold) - at70) / 60;
    // Kept whole, each iteration would hold its 8000-character tail.
    expect(perIteration).toBeLessThan(OLD_OUTPUT_CHARS + 1500);

    const lengths = fold.iterations.map((it) => it.lastVerification!.output.length);
    expect(lengths.at(-1)).toBe(testOutput(130).length);
    const recent = lengths.slice(-RECENT_OUTPUT_ITERATIONS, -1);
    expect(recent.every((length) => length === KEPT_OUTPUT_CHARS)).toBe(true);
    const old = lengths.slice(0, -RECENT_OUTPUT_ITERATIONS);
    expect(old).toHaveLength(130 - RECENT_OUTPUT_ITERATIONS);
    expect(old.every((length) => length === OLD_OUTPUT_CHARS)).toBe(true);
    // The end of the output stays: its counts.
    expect(fold.iteration(3)!.lastVerification!.output.endsWith('# pass 3\n# fail 0\n')).toBe(true);

    expect(fold.run.ended).toBe(130);
    expect(fold.run.succeeded).toBe(117);
    expect(fold.run.counts).toEqual({ succeeded: 117, failed: 13 });
    expect(fold.run.usage.input).toBe(130 * 100 + (130 * 131) / 2);
  });

  it('a fold restored from a snapshot cuts the old outputs it was given as the run goes on', () => {
    const events = iterations(80);
    const first = new JournalFold(RUN_ID);
    for (const event of events.slice(0, 1 + 3 * 40)) first.apply(event);
    const restored = JournalFold.restore(first.snapshot());
    for (const event of events.slice(1 + 3 * 40)) restored.apply(event);
    const lengths = restored.iterations.map((it) => it.lastVerification!.output.length);
    expect(lengths.slice(0, -RECENT_OUTPUT_ITERATIONS).every((length) => length <= OLD_OUTPUT_CHARS)).toBe(true);
    expect(restored.run.ended).toBe(80);
  });
});
