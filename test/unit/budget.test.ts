import { describe, expect, it, vi } from 'vitest';
import { BudgetGuard, budgetTokens } from '../../src/runtime/budget.js';

const usage = (input: number, output: number, cost = 0) => ({ input, output, cacheRead: 0, cacheWrite: 0, cost });
const none = { maxRunSeconds: 0, maxRunTokens: 0, maxTaskTokens: 0, maxRunCostUsd: 0 };

describe('BudgetGuard', () => {
  it('zero limits never stop anything', () => {
    const guard = new BudgetGuard(none, 0);
    guard.add('t', usage(1e9, 1e9, 1e6));
    expect(guard.check('t', 1e12)).toBeUndefined();
    expect(guard.msUntilDeadline()).toBeUndefined();
  });

  it('stops the run on wall time', () => {
    const guard = new BudgetGuard({ ...none, maxRunSeconds: 60 }, 1000);
    expect(guard.check(undefined, 60_999)).toBeUndefined();
    expect(guard.check(undefined, 61_000)).toMatchObject({ kind: 'run_seconds', action: 'stop_run', limit: 60 });
    expect(guard.msUntilDeadline(31_000)).toBe(30_000);
  });

  it('stops the run on tokens and on cost, counting cache tokens too', () => {
    const tokens = new BudgetGuard({ ...none, maxRunTokens: 100 });
    tokens.add('a', { input: 40, output: 10, cacheRead: 30, cacheWrite: 10, cost: 0 });
    expect(tokens.check('a')).toBeUndefined();
    tokens.add('b', usage(5, 5));
    expect(tokens.check('b')).toMatchObject({ kind: 'run_tokens', used: 100, action: 'stop_run' });
    const cost = new BudgetGuard({ ...none, maxRunCostUsd: 0.5 });
    cost.add('a', usage(1, 1, 0.3));
    expect(cost.check('a')).toBeUndefined();
    cost.add('a', usage(1, 1, 0.25));
    expect(cost.check('a')).toMatchObject({ kind: 'run_cost', action: 'stop_run' });
    expect(budgetTokens({ input: 1, output: 2, cacheRead: 3, cacheWrite: 4, cost: 9 })).toBe(10);
  });

  it('parks a task over its own budget without stopping the run, and counts per task', () => {
    const guard = new BudgetGuard({ ...none, maxTaskTokens: 50 });
    guard.add('a', usage(30, 0));
    guard.add('b', usage(40, 0));
    expect(guard.check('a')).toBeUndefined();
    guard.add('a', usage(20, 0));
    expect(guard.check('a')).toMatchObject({ kind: 'task_tokens', taskId: 'a', action: 'park_task', used: 50 });
    expect(guard.check('b')).toBeUndefined();
  });
});

describe('IterationBudgetWatch', () => {
  it('aborts the iteration at the run deadline even when the timer fires a little early', async () => {
    const { IterationBudgetWatch } = await import('../../src/loop/budget-watch.js');
    vi.useFakeTimers({ now: 0 });
    try {
      const guard = new BudgetGuard({ ...none, maxRunSeconds: 1 }, 0);
      const watch = new IterationBudgetWatch(guard);
      const signal = watch.begin('t', new AbortController().signal);
      // The clock lags the timer by 5 ms: at the first firing the budget is not spent yet.
      vi.setSystemTime(-5);
      await vi.advanceTimersByTimeAsync(1000);
      expect(signal.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(20);
      expect(signal.aborted).toBe(true);
      expect(watch.exceeded).toMatchObject({ kind: 'run_seconds' });
      watch.end();
    } finally {
      vi.useRealTimers();
    }
  });
});
