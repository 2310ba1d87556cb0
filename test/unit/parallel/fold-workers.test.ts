import { describe, expect, it } from 'vitest';
import { JournalFold } from '../../../src/journal/fold/fold.js';
import { budgetsOf, taskCounts, tasksByPhase, usageSoFar } from '../../../src/journal/fold/views.js';
import { mergeQueueOf, workerViews } from '../../../src/journal/fold/worker-views.js';
import { ended, events, foldOf, interleaved, start, task, usage } from './worker-events-fixture.js';

describe("the fold keeps each parallel worker's iteration and turn in flight", () => {
  it('keeps two interleaved turns apart, each with its own tools, usage and model', () => {
    const fold = foldOf(interleaved());
    const w1 = fold.workers.get('w1')!;
    const w2 = fold.workers.get('w2')!;
    expect(w1.turn).toMatchObject({ iteration: 1, role: 'developer', model: 'm-dev', toolCalls: 2, modelRequests: 1 });
    expect(w1.turn?.tools.map((tool) => tool.name)).toEqual(['edit', 'bash']);
    expect(w1.turn?.usage.input).toBe(7);
    expect(w2.turn).toMatchObject({ iteration: 2, role: 'tester', model: 'm-test', toolCalls: 1, modelRequests: 1 });
    expect(w2.turn?.usage.input).toBe(100);
    // The run-wide turn is the latest started, and is w2's own (one object, counted once).
    expect(fold.turn).toBe(w2.turn);
    expect(fold.current?.iteration).toBe(2);
    expect(usageSoFar(fold).input).toBe(107);
    const views = workerViews(fold, Date.parse('2026-01-01T00:00:20Z'));
    expect(views.map((view) => [view.worker, view.task, view.step, view.turn?.role, view.turn?.toolCalls])).toEqual([
      ['w1', 'Task 1', 'developer turn', 'developer', 2],
      ['w2', 'Task 2', 'tester turn', 'tester', 1],
    ]);
    expect(views[0]?.turn?.elapsedMs).toBe(20_000 - 5_000); // its turn_start was the 5th event, at 00:00:05
    // Both tasks in flight are "current"; the third is open.
    expect(taskCounts(tasksByPhase(fold))).toMatchObject({ current: 2, open: 1 });
  });

  it("ends one worker's turn without touching the other's, and the model asked for stays each turn's own", () => {
    const e = events();
    const list = interleaved();
    const fold = foldOf(list);
    const next = (body: Record<string, unknown>, worker: string) => {
      const event = e(body, worker);
      return {
        ...event,
        seq: list.length + event.seq,
        at: `2026-01-01T00:01:${String(event.seq).padStart(2, '0')}.000Z`,
      };
    };
    // w1's turn_end names no model: it asked for m-dev, though w2's turn_start came later.
    fold.apply(next({ type: 'turn_end', iteration: 1, role: 'developer', status: 'success', usage: usage(7) }, 'w1'));
    expect(fold.iteration(1)?.turns[0]?.model).toBe('m-dev');
    expect(fold.workers.get('w1')?.turn).toBeNull();
    expect(fold.workers.get('w2')?.turn?.toolCalls).toBe(1);
    expect(fold.turn?.iteration).toBe(2);
    // w2's turn ends: the run-wide turn falls back to none (w1 has none in flight).
    fold.apply(next({ type: 'turn_end', iteration: 2, role: 'tester', status: 'success', usage: usage(100) }, 'w2'));
    expect(fold.turn).toBeUndefined();
    expect(fold.iteration(2)?.turns[0]?.model).toBe('m-test');
    // w1 starts its tester; w2's iteration ends: the run-wide current falls back to w1's.
    fold.apply(next({ type: 'turn_start', iteration: 1, role: 'tester', step: 'tester', model: 'm-test' }, 'w1'));
    fold.apply(ended(e, 'w2', 2, 'succeeded'));
    expect(fold.current?.iteration).toBe(1);
    expect(fold.turn?.iteration).toBe(1);
    expect(fold.workers.get('w2')).toMatchObject({ phase: 'queued', turn: null });
    expect(mergeQueueOf(fold)).toEqual({ merging: 'w2', waiting: [] });
  });

  it('shows the merge queue in the order the workers finished, and counts merges and refusals per worker', () => {
    const e = events();
    const fold = new JournalFold('r');
    for (const event of [...start(e, 'w1', 1), ...start(e, 'w2', 2), ...start(e, 'w3', 3)]) fold.apply(event);
    fold.apply(ended(e, 'w3', 3, 'succeeded'));
    fold.apply(ended(e, 'w1', 1, 'succeeded'));
    fold.apply(ended(e, 'w2', 2, 'failed'));
    expect(mergeQueueOf(fold)).toEqual({ merging: 'w3', waiting: ['w1'] });
    expect(workerViews(fold, 0).map((view) => view.step)).toEqual([
      'waiting to merge (1 of 1)',
      'iteration failed',
      'merging',
    ]);
    const merge = (worker: string, n: number, outcome: string) =>
      fold.apply(e({ type: 'merge', worker, iteration: n, task: task(n), outcome, from: 'f', onto: 'o', commit: 'c' }));
    merge('w3', 3, 'merged');
    merge('w1', 1, 'conflict');
    expect(mergeQueueOf(fold)).toEqual({ merging: null, waiting: [] });
    expect(workerViews(fold, 0).map((view) => [view.worker, view.merged, view.conflicts, view.step])).toEqual([
      ['w1', 0, 1, 'merge conflict: the task goes back to a developer'],
      ['w2', 0, 0, 'iteration failed'],
      ['w3', 1, 0, 'merged'],
    ]);
  });

  it("takes no worker from the run's cleanup of the merge queue's worktree or an earlier run's", () => {
    const e = events();
    const fold = foldOf(start(e, 'w1', 1));
    fold.apply(e({ type: 'worktree_removed', worker: 'merge', worktree: '/x/run/merge', head: 'h', keptIn: 'm' }));
    fold.apply(e({ type: 'worktree_removed', worker: 'w1', worktree: '/x/old/1', head: 'h', keptIn: 'r' }));
    expect([...fold.workers.keys()]).toEqual(['w1']);
    expect(fold.workers.get('w1')?.phase).toBe('working');
    fold.apply(e({ type: 'worktree_removed', worker: 'w1', worktree: 'wt1', head: 'h', keptIn: 'm' }));
    expect(fold.workers.get('w1')?.phase).toBe('removed');
  });

  it('goes on from a saved snapshot as it would have live: one turn object, the same counts', () => {
    const list = interleaved();
    const live = foldOf(list);
    const restored = JournalFold.restore(JSON.parse(JSON.stringify(foldOf(list.slice(0, 8)).snapshot())));
    for (const event of list.slice(8)) restored.apply(event);
    expect(restored.turn).toBe(restored.workers.get('w2')?.turn);
    expect(restored.workers.get('w2')?.turn).toEqual(live.workers.get('w2')?.turn);
    expect(restored.workers.get('w1')?.turn).toEqual(live.workers.get('w1')?.turn);
    expect(budgetsOf(restored, 0)).toEqual(budgetsOf(live, 0));
  });

  it('leaves a sequential run as it was: no workers, the one turn takes every event', () => {
    const e = events();
    const fold = foldOf([
      e({ type: 'iteration_start', iteration: 1, task: task(1), startCommit: 'b', preDirty: [] }),
      e({ type: 'turn_start', iteration: 1, role: 'developer', step: 'developer', model: 'm' }),
      e({ type: 'tool_start', iteration: 1, role: 'developer', name: 'edit' }),
      e({ type: 'turn_usage', iteration: 1, role: 'developer', usage: usage(5), modelRequests: 1 }),
    ]);
    expect(fold.workers.size).toBe(0);
    expect(fold.turn).toMatchObject({ toolCalls: 1, modelRequests: 1 });
    expect(workerViews(fold, 0)).toEqual([]);
    fold.apply(e({ type: 'turn_end', iteration: 1, role: 'developer', status: 'success' }));
    expect(fold.turn).toBeUndefined();
    expect(fold.iteration(1)?.turns[0]?.model).toBe('m');
  });
});
