/** The fold's task list and operator control: what status and the dashboard show, from the journal alone. */
import { describe, expect, it } from 'vitest';
import type { ReadEvent } from '../../src/journal/decode.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { budgetsOf, taskCounts, tasksByPhase } from '../../src/journal/fold/views.js';
import { turnView } from '../../src/journal/fold/worker-views.js';
import { statusOf } from '../../src/report/status.js';

let seq = 0;
const ev = (body: Record<string, unknown>) =>
  ({ v: 1, runId: 'r', at: `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`, seq: ++seq, ...body }) as ReadEvent;
const entry = (id: string, phase: string, done = false, parked = false) => ({
  id,
  text: `task ${id}`,
  phase,
  line: 1,
  done,
  parked,
});
const task = (id: string, phase: string) => ({ id, text: `task ${id}`, phase, line: 1 });
const usage = { input: 100, output: 10, cacheRead: 0, cacheWrite: 0, cost: 0.5 };

describe('the fold: tasks and control', () => {
  it('tasks by phase: done by a succeeded iteration, current, parked and unparked, failed', () => {
    const fold = new JournalFold();
    fold.apply(
      ev({
        type: 'run_start',
        command: 'run',
        budgets: { maxRunSeconds: 0, maxRunTokens: 1000, maxTaskTokens: 0, maxRunCostUsd: 0 },
      }),
    );
    fold.apply(
      ev({
        type: 'task_list',
        tasks: [entry('a', 'P1'), entry('b', 'P1'), entry('c', 'P2'), entry('d', 'P2', false, true)],
      }),
    );
    fold.apply(ev({ type: 'iteration_start', iteration: 1, task: task('a', 'P1'), startCommit: 'x', preDirty: [] }));
    fold.apply(
      ev({
        type: 'iteration_end',
        iteration: 1,
        task: task('a', 'P1'),
        status: 'succeeded',
        reason: 'committed',
        durationMs: 1,
        usage,
        commit: 'c1',
      }),
    );
    fold.apply(ev({ type: 'iteration_start', iteration: 2, task: task('b', 'P1'), startCommit: 'x', preDirty: [] }));
    fold.apply(
      ev({
        type: 'iteration_end',
        iteration: 2,
        task: task('b', 'P1'),
        status: 'failed',
        reason: 'verification_failed',
        durationMs: 1,
        usage,
      }),
    );
    fold.apply(ev({ type: 'task_parked', taskId: 'c', cause: 'operator', reason: 'skipped by the operator' }));
    fold.apply(ev({ type: 'task_unparked', taskId: 'd' }));
    fold.apply(ev({ type: 'iteration_start', iteration: 3, task: task('d', 'P2'), startCommit: 'x', preDirty: [] }));
    fold.apply(
      ev({
        type: 'turn_start',
        iteration: 3,
        role: 'developer',
        step: 'developer',
        promptBytes: 1,
        contextWindow: 1000,
      }),
    );
    fold.apply(
      ev({
        type: 'turn_usage',
        iteration: 3,
        role: 'developer',
        usage: { ...usage, input: 400, cacheRead: 100 },
        modelRequests: 1,
      }),
    );
    fold.apply(ev({ type: 'tool_start', iteration: 3, role: 'developer', name: 'edit', path: 'x.ts' }));
    const phases = tasksByPhase(fold);
    expect(phases.map((phase) => [phase.phase, phase.tasks.map((t) => [t.id, t.status])])).toEqual([
      [
        'P1',
        [
          ['a', 'done'],
          ['b', 'failed'],
        ],
      ],
      [
        'P2',
        [
          ['c', 'parked'],
          ['d', 'current'],
        ],
      ],
    ]);
    expect(phases[1]!.tasks[0]!.note).toBe('skipped by the operator');
    expect(taskCounts(phases)).toEqual({ done: 1, current: 1, parked: 1, failed: 1, open: 0 });
    expect(fold.turn).toMatchObject({
      contextTokens: 500,
      contextWindow: 1000,
      tools: [{ name: 'edit', path: 'x.ts' }],
    });
    // `status` shows the same turn: its shared view (as a worker's) plus how full its context is.
    const now = Date.parse(fold.turn!.startedAt) + 2000;
    expect(statusOf(fold, { repo: '/r', active: true, staleLock: null, now }).turn).toEqual({
      ...turnView(fold.turn!, now),
      elapsedMs: 2000,
      lastTool: 'edit x.ts',
      contextTokens: 500,
      contextWindow: 1000,
    });
    // Run tokens: two ended iterations (110 each) and the turn in flight (510).
    expect(budgetsOf(fold, Date.now()).find((b) => b.kind === 'run_tokens')).toEqual({
      kind: 'run_tokens',
      used: 730,
      limit: 1000,
    });
  });

  it('control: each request with its plan and how it was settled; paused until resumed or the run ends', () => {
    const fold = new JournalFold();
    fold.apply(
      ev({
        type: 'control_received',
        id: 'p',
        action: 'pause',
        source: 'dashboard',
        detail: 'pausing when iteration 1 ends',
      }),
    );
    expect(fold.control.paused).toBe(false);
    fold.apply(ev({ type: 'control_applied', id: 'p', action: 'pause', result: 'applied', detail: 'paused' }));
    expect(fold.control.paused).toBe(true);
    fold.apply(ev({ type: 'control_received', id: 'r', action: 'retry', source: 'cli', task: 'zz', detail: 'giving' }));
    fold.apply(ev({ type: 'control_applied', id: 'r', action: 'retry', result: 'rejected', detail: 'no task zz' }));
    expect(fold.control.paused).toBe(true);
    fold.apply(ev({ type: 'control_applied', id: 'q', action: 'resume', result: 'applied', detail: 'resumed' }));
    expect(fold.control.paused).toBe(false);
    expect(fold.control.requests.map((r) => [r.id, r.source, r.result])).toEqual([
      ['p', 'dashboard', 'applied'],
      ['r', 'cli', 'rejected'],
    ]);
    const restored = JournalFold.restore(fold.snapshot());
    expect(restored.control).toEqual(fold.control);
  });
});
