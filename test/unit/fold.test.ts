/**
 * The one fold of a run's journal, as its next readers will use it: a `status` command that folds
 * a whole journal in a fresh process, and a dashboard that applies events one by one as they are
 * journaled (the turn in flight, tool calls so far, tokens against the budgets).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEventBody } from '../../src/journal/events.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { readJournalFile } from '../../src/journal/read.js';
import { eventList, RUN_ID, sampleRun, TASK_1, usage } from '../helpers/journal-events.js';
import { tempDir } from '../helpers/temp-dir.js';

const BUDGETS = { maxRunSeconds: 0, maxRunTokens: 5000, maxTaskTokens: 0, maxRunCostUsd: 1 };

describe('the fold, one event at a time', () => {
  it('shows the iteration and the turn in flight, its tool calls and tokens so far, then the outcome', () => {
    const fold = new JournalFold(RUN_ID);
    const { add } = eventList();
    const apply = (body: JournalEventBody) => fold.apply(add(body));
    apply({
      type: 'run_start',
      command: 'run',
      pid: 1,
      repoRoot: '/repo',
      transport: 'rpc',
      version: '0',
      budgets: BUDGETS,
    });
    apply({ type: 'iteration_start', iteration: 1, task: TASK_1, startCommit: 'a'.repeat(40), preDirty: [] });
    expect(fold.current).toMatchObject({ iteration: 1, step: 'starting', task: TASK_1 });
    expect(fold.tasks.get(TASK_1.id)).toMatchObject({ status: 'running', iterations: 1 });

    apply({ type: 'turn_start', iteration: 1, role: 'developer', step: 'developer', promptBytes: 9, model: 'p/m' });
    apply({ type: 'tool_start', iteration: 1, role: 'developer', name: 'write', path: '/repo/src/a.ts' });
    apply({ type: 'turn_usage', iteration: 1, role: 'developer', usage: usage(100, 10, 0.01), modelRequests: 1 });
    apply({ type: 'tool_start', iteration: 1, role: 'developer', name: 'bash', command: 'npm test' });
    apply({ type: 'turn_usage', iteration: 1, role: 'developer', usage: usage(120, 20, 0.02), modelRequests: 2 });
    expect(fold.turn).toMatchObject({
      iteration: 1,
      role: 'developer',
      model: 'p/m',
      toolCalls: 2,
      lastTool: { name: 'bash' },
      usage: { input: 220, output: 30 },
      modelRequests: 2,
    });
    expect(fold.current?.step).toBe('developer turn');
    expect(fold.run.budgets).toEqual(BUDGETS);

    apply({
      type: 'turn_end',
      iteration: 1,
      role: 'developer',
      status: 'success',
      terminalReason: 'completed',
      usage: usage(220, 30, 0.03),
      modelRequests: 2,
      toolCalls: 2,
      toolErrors: 0,
      durationMs: 4000,
      changedFiles: ['src/a.ts'],
      model: 'p/m',
    });
    apply({
      type: 'tool',
      iteration: 1,
      role: 'developer',
      name: 'write',
      path: '/repo/src/a.ts',
      durationMs: 5,
      isError: false,
    });
    expect(fold.turn).toBeUndefined();
    expect(fold.current).toMatchObject({
      step: 'after developer turn',
      developer: 'success',
      changedFiles: ['src/a.ts'],
    });
    expect(fold.tallies.byRole.get('developer')).toMatchObject({ count: 1, tokens: 250, durationMs: 4000 });
    expect(fold.tallies.byFile.get('src/a.ts')).toMatchObject({ count: 1, tokens: 125 });

    apply({ type: 'verification_start', iteration: 1, after: 'developer', command: '' });
    expect(fold.current?.step).toBe('verification');
    apply({
      type: 'verification',
      iteration: 1,
      after: 'developer',
      outcome: 'skipped',
      exitCode: null,
      durationMs: 0,
      command: '',
      outputTail: '',
    });
    expect(fold.current).toMatchObject({ verification: 'skipped', verificationRuns: 0 });

    apply({
      type: 'iteration_end',
      iteration: 1,
      task: TASK_1,
      status: 'failed',
      reason: 'tester_no_verdict',
      durationMs: 9000,
      usage: usage(220, 30, 0.03),
    });
    expect(fold.current).toBeUndefined();
    expect(fold.tasks.get(TASK_1.id)).toMatchObject({ status: 'failed', reason: 'tester_no_verdict' });
    expect(fold.run).toMatchObject({
      ended: 1,
      succeeded: 0,
      counts: { failed: 1 },
      usage: { input: 220, cost: 0.03 },
    });
  });

  it('folds a journal read back from its file exactly as it folded the events live', async () => {
    const events = sampleRun();
    const live = new JournalFold(RUN_ID);
    for (const event of events) live.apply(event);
    const file = path.join(await tempDir('fold-'), RUN_ID, 'journal.jsonl');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n{"type":"turn_end","trunc`);
    const read = readJournalFile(file);
    expect(read.skipped).toBe(1);
    const replayed = new JournalFold(RUN_ID);
    for (const event of read.events) replayed.apply(event);
    expect(replayed.run).toEqual(live.run);
    expect(replayed.iterations).toEqual(live.iterations);
    expect([...replayed.tallies.byTool]).toEqual([...live.tallies.byTool]);
  });

  it('folds a 1,000-iteration journal quickly enough for a status command', async () => {
    const { events, add } = eventList();
    add({ type: 'run_start', command: 'run', pid: 1, repoRoot: '/repo', transport: 'rpc', version: '0' });
    for (let iteration = 1; iteration <= 1000; iteration++) {
      const task = { ...TASK_1, id: `task-${iteration}`, text: `Task ${iteration}` };
      add({ type: 'iteration_start', iteration, task, startCommit: 'a'.repeat(40), preDirty: [] });
      for (const role of ['developer', 'tester'] as const) {
        add({ type: 'turn_start', iteration, role, step: role, promptBytes: 4000, prompt: 'x'.repeat(4000) });
        for (let call = 0; call < 4; call++)
          add({ type: 'tool_start', iteration, role, name: 'read', path: `/repo/src/f${call}.ts` });
        add({
          type: 'turn_end',
          iteration,
          role,
          status: 'success',
          terminalReason: 'completed',
          usage: usage(5000, 500, 0.01),
          modelRequests: 4,
          toolCalls: 4,
          toolErrors: 0,
          durationMs: 20_000,
          changedFiles: ['src/f0.ts'],
        });
      }
      add({ type: 'verdict', iteration, verdict: 'PASS', recheck: false, findings: '' });
      add({
        type: 'iteration_end',
        iteration,
        task,
        status: 'succeeded',
        reason: 'committed',
        durationMs: 1,
        usage: usage(1, 1),
      });
    }
    const file = path.join(await tempDir('fold-big-'), RUN_ID, 'journal.jsonl');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    const started = performance.now();
    const fold = new JournalFold(RUN_ID);
    for (const event of readJournalFile(file).events) fold.apply(event);
    const elapsed = performance.now() - started;
    expect(fold.run.succeeded).toBe(1000);
    expect(fold.iterations).toHaveLength(1000);
    // Measured at about 100 ms on the 2-core development machine; the bound only catches a fold
    // that stopped being linear.
    expect(elapsed).toBeLessThan(2000);
  });
});
