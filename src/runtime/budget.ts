/**
 * Run and task budgets (docs/configuration.md): wall time, tokens and cost of a run, tokens of one
 * task. Usage is added as each model request finishes, so a budget stops a runaway turn while it
 * runs instead of after the damage. Zero means "no limit" for every budget.
 */
import type { BudgetAction, BudgetKind } from '../vocabulary/budgets.js';
import type { TokenUsage } from '../vocabulary/turns.js';

export interface BudgetLimits {
  maxRunSeconds: number;
  maxRunTokens: number;
  maxTaskTokens: number;
  maxRunCostUsd: number;
}

export interface BudgetExceeded {
  kind: BudgetKind;
  limit: number;
  used: number;
  /** The task whose budget ran out (task_tokens only). */
  taskId?: string;
  /** What the loop does about it: a run budget ends the run, a task budget parks the task. */
  action: BudgetAction;
  message: string;
}

/** Tokens that count against budgets: everything the model processed or produced. */
export function budgetTokens(usage: TokenUsage): number {
  return usage.input + usage.output + usage.cacheRead + usage.cacheWrite;
}

export class BudgetGuard {
  private readonly limits: BudgetLimits;
  private readonly startedAt: number;
  private runTokens = 0;
  private runCost = 0;
  private readonly taskTokens = new Map<string, number>();

  constructor(limits: BudgetLimits, startedAt: number = Date.now()) {
    this.limits = limits;
    this.startedAt = startedAt;
  }

  add(taskId: string, usage: TokenUsage): void {
    const tokens = budgetTokens(usage);
    this.runTokens += tokens;
    this.runCost += usage.cost;
    this.taskTokens.set(taskId, (this.taskTokens.get(taskId) ?? 0) + tokens);
  }

  /** Milliseconds until the run's time budget ends, or undefined without one. */
  msUntilDeadline(now: number = Date.now()): number | undefined {
    return this.limits.maxRunSeconds > 0 ? this.startedAt + this.limits.maxRunSeconds * 1000 - now : undefined;
  }

  /** The first budget exceeded, run budgets before the task's. */
  check(taskId: string | undefined, now: number = Date.now()): BudgetExceeded | undefined {
    const { maxRunSeconds, maxRunTokens, maxRunCostUsd, maxTaskTokens } = this.limits;
    const elapsed = (now - this.startedAt) / 1000;
    if (maxRunSeconds > 0 && elapsed >= maxRunSeconds) {
      return {
        kind: 'run_seconds',
        limit: maxRunSeconds,
        used: Math.round(elapsed),
        action: 'stop_run',
        message: `run time budget reached: ${Math.round(elapsed)}s of maxRunSeconds ${maxRunSeconds}`,
      };
    }
    if (maxRunTokens > 0 && this.runTokens >= maxRunTokens) {
      return {
        kind: 'run_tokens',
        limit: maxRunTokens,
        used: this.runTokens,
        action: 'stop_run',
        message: `run token budget reached: ${this.runTokens} of maxRunTokens ${maxRunTokens}`,
      };
    }
    if (maxRunCostUsd > 0 && this.runCost >= maxRunCostUsd) {
      return {
        kind: 'run_cost',
        limit: maxRunCostUsd,
        used: this.runCost,
        action: 'stop_run',
        message: `run cost budget reached: $${this.runCost.toFixed(4)} of maxRunCostUsd $${maxRunCostUsd}`,
      };
    }
    const taskUsed = taskId ? (this.taskTokens.get(taskId) ?? 0) : 0;
    if (taskId && maxTaskTokens > 0 && taskUsed >= maxTaskTokens) {
      return {
        kind: 'task_tokens',
        limit: maxTaskTokens,
        used: taskUsed,
        taskId,
        action: 'park_task',
        message: `task token budget reached: ${taskUsed} of maxTaskTokens ${maxTaskTokens}`,
      };
    }
    return undefined;
  }
}
