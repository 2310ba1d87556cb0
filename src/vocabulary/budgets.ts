/** The run and task budgets, and what the loop does when one runs out. */
export type BudgetKind = 'run_seconds' | 'run_tokens' | 'run_cost' | 'task_tokens';

/** A run budget ends the run; a task budget parks the task. */
export type BudgetAction = 'stop_run' | 'park_task';
