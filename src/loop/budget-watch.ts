/**
 * Ties the budget guard to a running iteration: usage reported by the transport as each model
 * request ends is counted at once, and the moment a budget runs out the iteration's abort signal
 * fires, so a runaway turn is stopped mid-flight (its work is then rescued like any interrupted
 * iteration). The run's wall-time budget is a timer on the same signal.
 */
import type { TokenUsage } from '../vocabulary/turns.js';
import type { BudgetGuard, BudgetExceeded } from '../runtime/budget.js';

export class IterationBudgetWatch {
  private readonly guard: BudgetGuard;
  private controller: AbortController | undefined;
  private taskId: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Why the current (or last) iteration was stopped by a budget. */
  exceeded: BudgetExceeded | undefined;

  constructor(guard: BudgetGuard) {
    this.guard = guard;
  }

  /** Budgets already spent before an iteration starts (checked between iterations). */
  checkBeforeIteration(taskId: string): BudgetExceeded | undefined {
    return this.guard.check(taskId);
  }

  /** Starts watching an iteration; the returned signal also follows `outer` (SIGINT/SIGTERM). */
  begin(taskId: string, outer: AbortSignal): AbortSignal {
    this.end();
    this.exceeded = undefined;
    this.taskId = taskId;
    this.controller = new AbortController();
    this.armDeadline();
    return AbortSignal.any([outer, this.controller.signal]);
  }

  /**
   * Fires at the run's deadline. Timers may fire a millisecond early, when the budget does not yet
   * count as spent: then the timer is armed again, so the deadline can never be missed.
   */
  private armDeadline(): void {
    const remaining = this.guard.msUntilDeadline();
    if (remaining === undefined || !this.controller) return;
    this.timer = setTimeout(
      () => {
        this.trip();
        if (!this.exceeded) this.armDeadline();
      },
      Math.max(10, remaining),
    );
    this.timer.unref();
  }

  /** Usage of one finished model request of the current iteration. */
  addUsage(usage: TokenUsage): void {
    if (!this.taskId) return;
    this.guard.add(this.taskId, usage);
    this.trip();
  }

  end(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.taskId = undefined;
    this.controller = undefined;
  }

  private trip(): void {
    if (!this.controller || this.exceeded) return;
    const exceeded = this.guard.check(this.taskId);
    if (!exceeded) return;
    this.exceeded = exceeded;
    this.controller.abort(new Error(exceeded.message));
  }
}
