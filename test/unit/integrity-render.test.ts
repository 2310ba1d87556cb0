/** The integrity events as the terminal and the log tell them, read off the one decoder and fold. */
import { describe, expect, it } from 'vitest';
import { decodeValue, type ReadEvent } from '../../src/journal/decode.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { consoleView } from '../../src/journal/render/console.js';
import { formatLogLine } from '../../src/journal/render/log-lines.js';

const RUN = '20261124T010000Z-cccccc';
let seq = 0;
function event(body: Record<string, unknown>): ReadEvent {
  const decoded = decodeValue({ v: 1, runId: RUN, at: '2026-11-24T01:00:00Z', seq: ++seq, ...body }, { position: seq });
  if (decoded.kind !== 'event') throw new Error(`not an event: ${JSON.stringify(body)}`);
  return decoded.event;
}

const EVENTS = [
  { type: 'iteration_start', iteration: 1, task: { id: 't', text: 'Add mul', phase: null, line: 3 }, preDirty: [] },
  { type: 'integrity_baseline_start', iteration: 1, command: 'node --test' },
  {
    type: 'integrity_baseline',
    iteration: 1,
    commit: 'abc',
    testFiles: 2,
    counts: { runner: 'node-test', run: 4, passed: 4, failed: 0, skipped: 1, todo: 0, unit: 'test', complete: true },
    source: 'run_start',
    verification: { outcome: 'passed', exitCode: 0, durationMs: 300, command: 'node --test' },
  },
  {
    type: 'integrity_finding',
    iteration: 1,
    check: 1,
    mode: 'enforce',
    rule: 'test-file-deleted',
    path: 'test/sub.test.js',
    detail: 'test/sub.test.js, which held 2 tests, was deleted',
  },
  { type: 'integrity_check', iteration: 1, check: 1, mode: 'enforce', findings: 1 },
  {
    type: 'integrity_finding',
    iteration: 1,
    check: 2,
    mode: 'enforce',
    rule: 'test-file-deleted',
    path: 'test/sub.test.js',
    detail: 'test/sub.test.js, which held 2 tests, was deleted',
  },
  { type: 'integrity_check', iteration: 1, check: 2, mode: 'enforce', findings: 1 },
  { type: 'integrity_check', iteration: 1, check: 3, mode: 'enforce', findings: 0 },
  {
    type: 'iteration_end',
    iteration: 1,
    task: { id: 't', text: 'Add mul', phase: null, line: 3 },
    status: 'succeeded',
    reason: 'committed',
    durationMs: 10,
    usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, cost: 0 },
  },
];

describe('integrity events told', () => {
  it('the terminal: the baseline, each finding, each check, and the iteration summary', () => {
    const fold = new JournalFold(RUN);
    const lines: string[] = [];
    const view = consoleView({ write: (line) => lines.push(line), fold, journal: 'journal.jsonl' });
    for (const body of EVENTS) {
      const read = event(body);
      fold.apply(read);
      view(read);
    }
    const text = lines.join('\n');
    expect(text).toContain('  integrity baseline: running node --test once for the test counts…');
    expect(text).toContain(
      '  integrity baseline: 2 test files; node-test ran 4 tests (1 skipped or todo), ' +
        'from the verification at run start',
    );
    expect(text).toContain(
      '  integrity finding: test-file-deleted: test/sub.test.js — test/sub.test.js, which held 2 tests, was deleted',
    );
    expect(text).toContain('  integrity check 1: 1 finding (enforce)');
    // The second check saw the same finding: its count is told, the finding not printed twice.
    expect(text.match(/integrity finding: test-file-deleted/g)).toHaveLength(1);
    expect(text).toContain('  integrity check 2: 1 finding (enforce)');
    expect(text).toContain('  integrity check 3: clean (enforce)');
    expect(text).toContain('  integrity:    1 finding (enforce): test-file-deleted test/sub.test.js');
  });

  it('the log: one line each', () => {
    const [, start, baseline, finding, check] = EVENTS.map(event).map(formatLogLine);
    expect(start).toContain('integrity_baseline_start: iteration 1 integrity baseline: running node --test');
    expect(EVENTS.map(event).map(formatLogLine)[5]).toContain('integrity check 2 (enforce): test-file-deleted');
    expect(baseline).toContain('integrity_baseline: iteration 1 integrity baseline: 2 test files; node-test ran 4');
    expect(finding).toContain('integrity check 1 (enforce): test-file-deleted: test/sub.test.js — ');
    expect(check).toContain('integrity_check: iteration 1 integrity check 1 (enforce): 1 finding');
  });

  it('a baseline without counts says so, and what the run-start verification did', () => {
    const line = formatLogLine(
      event({
        type: 'integrity_baseline',
        iteration: 2,
        commit: null,
        testFiles: 0,
        source: 'none',
        verification: { outcome: 'failed', exitCode: 1, durationMs: 5, command: 'npm test' },
      }),
    );
    expect(line).toContain('0 test files; no test counts to compare; the verification at run start failed (exit 1)');
  });
});
