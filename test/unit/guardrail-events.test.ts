/**
 * The guardrails' journal events through every view: decoded (an unknown rule dropped), folded
 * into counts per iteration and for the run, told by the terminal and the log, and shown by the
 * report per iteration and in all.
 */
import { describe, expect, it } from 'vitest';
import { decodeLine } from '../../src/journal/decode.js';
import type { JournalEventBody } from '../../src/journal/events.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { consoleView } from '../../src/journal/render/console.js';
import { formatLogLine } from '../../src/journal/render/log-lines.js';
import { restoreEvent } from '../../src/loop/guard/restore-events.js';
import { foldedRun } from '../../src/report/from-fold.js';
import { renderReport } from '../../src/report/render-text.js';
import { createStyle } from '../../src/report/style.js';
import type { ReportDocument } from '../../src/report/types.js';
import { eventList, RUN_ID, TASK_1, usage } from '../helpers/journal-events.js';

function guardedIteration() {
  const { events, add } = eventList();
  const bodies: JournalEventBody[] = [
    { type: 'run_start', command: 'once', pid: 1, repoRoot: '/repo', transport: 'rpc', version: '0' },
    { type: 'iteration_start', iteration: 1, task: TASK_1, startCommit: 'a'.repeat(40), preDirty: [] },
    {
      type: 'guardrail_block',
      iteration: 1,
      role: 'developer',
      rule: 'git-push',
      action: 'blocked',
      tool: 'bash',
      command: 'git push origin main',
      subject: 'git push origin main',
      reason: 'publishing is the user’s decision',
    },
    {
      type: 'guardrail_block',
      iteration: 1,
      role: 'tester',
      rule: 'write-git-dir',
      action: 'blocked',
      tool: 'write',
      path: '.git/hooks/pre-commit',
      subject: '.git/hooks/pre-commit',
      reason: 'inside git’s own directory',
    },
    restoreEvent(
      { kind: 'ref_restored', ref: 'refs/heads/feature', change: 'deleted', from: null, to: 'b'.repeat(40) },
      { moment: 'iteration_end', iteration: 1, dryRun: false },
    ),
    restoreEvent(
      { kind: 'ref_created', ref: 'refs/heads/agent-branch', target: 'c'.repeat(40), action: 'kept' },
      { moment: 'iteration_end', iteration: 1, dryRun: false },
    ),
    {
      type: 'iteration_end',
      iteration: 1,
      task: TASK_1,
      status: 'succeeded',
      reason: 'committed',
      durationMs: 1000,
      usage: usage(10, 5),
    },
    restoreEvent(
      { kind: 'stash_restored', entries: [{ commit: 'd'.repeat(40), message: 'On main: wip' }] },
      { moment: 'crash_recovery', iteration: 7, dryRun: true },
    ),
  ];
  for (const body of bodies) add(body);
  return events;
}

describe('guardrail journal events', () => {
  it('decode with their fields; a rule this harness does not know is dropped, the event kept', () => {
    const line = JSON.stringify({ ...guardedIteration()[2], rule: 'git-teleport' });
    const decoded = decodeLine(line, { position: 1 });
    expect(decoded.kind).toBe('event');
    if (decoded.kind !== 'event' || decoded.event.type !== 'guardrail_block') throw new Error('not decoded');
    expect(decoded.event.rule).toBeUndefined();
    expect(decoded.event.command).toBe('git push origin main');
  });

  it('fold into counts per iteration and for the run, crash recovery included', () => {
    const fold = new JournalFold(RUN_ID);
    for (const event of guardedIteration()) fold.apply(event);
    expect(fold.iteration(1)?.guardrails).toEqual({
      blocked: 2,
      warned: 0,
      restored: 1,
      reported: 1,
      byRule: { 'git-push': 1, 'write-git-dir': 1 },
      changes: [
        `refs/heads/feature: deleted; recreated it at ${'b'.repeat(12)}`,
        `refs/heads/agent-branch: created at ${'c'.repeat(12)}; kept`,
      ],
    });
    // The warn-mode recovery found a change and put nothing back: reported, not restored.
    expect(fold.run.guardrails).toMatchObject({ blocked: 2, restored: 1, reported: 2 });
  });

  it('are told by the terminal as they happen and in the iteration summary, and by the log', () => {
    const fold = new JournalFold(RUN_ID);
    const lines: string[] = [];
    const view = consoleView({ write: (line) => lines.push(line), fold, journal: 'journal.jsonl' });
    for (const event of guardedIteration()) {
      fold.apply(event);
      view(event);
    }
    const text = lines.join('\n');
    expect(text).toContain('! guardrails blocked [git-push] bash: git push origin main');
    expect(text).toContain('! guardrails blocked [write-git-dir] write: .git/hooks/pre-commit');
    expect(text).toContain(`guardrails: refs/heads/feature: deleted; recreated it at ${'b'.repeat(12)}`);
    expect(text).toContain('guardrails:   2 blocked (git-push 1, write-git-dir 1), 1 put back, 1 reported');
    expect(text).toMatch(/refs\/stash: 1 entries gone; left as it is \(warn mode; enforce would have put them back\)/);
    const log = guardedIteration().map(formatLogLine).join('\n');
    expect(log).toContain('guardrail_block: iteration 1 developer blocked [git-push] bash: git push origin main —');
    expect(log).toContain('guardrail_restore: iteration 7 guardrails (crash_recovery) refs/stash: 1 entries gone');
  });

  it('are shown by the report per iteration and in all', () => {
    const fold = new JournalFold(RUN_ID);
    for (const event of guardedIteration()) fold.apply(event);
    const { run, iterations } = foldedRun(fold, {
      journal: 'journal.jsonl',
      malformedLines: 0,
      liveRunId: null,
      now: new Date(),
    });
    expect(iterations[0]?.guardrails).toMatchObject({ blocked: 2, restored: 1, reported: 1 });
    expect(run.guardrails).toMatchObject({ blocked: 2, restored: 1, reported: 2, changes: [] });
    const report: ReportDocument = {
      schemaVersion: 1,
      generatedAt: new Date().toISOString(),
      repoRoot: '/repo',
      runtimeDir: '.pi-harness',
      empty: false,
      history: { runsTotal: 1, runsShown: 1, iterationsShown: 1, malformedLines: 0 },
      totals: {
        iterations: 1,
        succeeded: 1,
        failed: 0,
        byStatus: { succeeded: 1 },
        usage: usage(10, 5),
        modelRequests: 0,
        durationMs: 1000,
        integrityFindings: 0,
        guardrails: run.guardrails,
      },
      runs: [run],
      iterations,
      parkedTasks: [],
      inProgress: null,
      rescueRefs: { total: 0, refs: [] },
      largeFiles: [],
      failureArtifacts: { dir: '.pi-harness/failures', total: 0, paths: [] },
      hotspots: { byRole: [], byModel: [], byTool: [], byFile: [] },
      warnings: [],
    };
    const text = renderReport(report, createStyle(false));
    expect(text).toContain('guardrails: 2 blocked (git-push 1, write-git-dir 1), 1 put back, 2 reported');
    expect(text).toContain('guardrails: 2 blocked (git-push 1, write-git-dir 1), 1 put back, 2 reported in this run');
    expect(text).toContain('guardrails: 2 blocked (git-push 1, write-git-dir 1), 1 put back, 1 reported\n');
    expect(text).toContain('refs/heads/feature: deleted; recreated it at');
  });
});
