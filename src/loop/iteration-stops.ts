/**
 * The run's decisions between iterations: which task comes next (the first open one that is not
 * parked), and whether the run stops — every task done or parked, a budget spent, the circuit
 * breaker, bad credentials, maxIterations, a signal.
 */
import { failureLimitReached, isParked, parkTask, type HarnessState } from '../runtime/state.js';
import type { BudgetExceeded } from '../runtime/budget.js';
import { loadTaskFile, type Task } from '../tasks/index.js';
import type { RunResult, StopKind } from '../vocabulary/exit-codes.js';
import type { RecordedStatus } from '../vocabulary/iterations.js';
import type { IterationBudgetWatch } from './budget-watch.js';
import { OperatorStop } from './control-desk.js';
import type { IterationResult } from './iteration.js';
import type { LoopContext } from './loop-context.js';

/** Why the run stops, as a kind and as the sentence the terminal and the journal say. */
export interface Stop {
  kind: StopKind;
  reason: string;
}

/** A stop from outside: a signal, or the operator's `pi-harness stop` (which says so). */
function signalStop(signal: AbortSignal): Stop {
  const reason = signal.reason instanceof OperatorStop ? signal.reason.message : 'stopped by a signal';
  return { kind: 'signal', reason };
}

function journalBudget(ctx: LoopContext, spent: BudgetExceeded): void {
  ctx.journal.append({
    type: 'budget',
    kind: spent.kind,
    limit: spent.limit,
    used: spent.used,
    action: spent.action,
    message: spent.message,
    ...(spent.taskId ? { taskId: spent.taskId } : {}),
  });
}

/**
 * The next task, from the iteration's one read of the task file (the open tasks it lists are the
 * ones agents may not tick), or why there is none to work on.
 */
export async function pickTask(
  ctx: LoopContext,
  run: { state: HarnessState; budget: IterationBudgetWatch; iterations: number },
): Promise<{ task: Task; openAtStart: ReadonlySet<string> } | { stop: Stop }> {
  if (ctx.signal.aborted) return { stop: signalStop(ctx.signal) };
  const { file } = await loadTaskFile(ctx.config.taskFile);
  const open = file.tasks.filter((task) => !task.done);
  const task = open.find((candidate) => !isParked(run.state, candidate.id));
  if (!task) {
    const parked = open.filter((candidate) => isParked(run.state, candidate.id)).length;
    return parked > 0
      ? { stop: { kind: 'all_parked', reason: `no open task left that is not parked (${parked} parked)` } }
      : { stop: { kind: 'all_done', reason: 'all tasks done' } };
  }
  const spent = run.budget.checkBeforeIteration(task.id);
  if (spent?.action === 'stop_run') {
    journalBudget(ctx, spent);
    return { stop: { kind: 'budget', reason: spent.message } };
  }
  return { task, openAtStart: new Set(open.map((candidate) => candidate.id)) };
}

function resultOf(recorded: RecordedStatus): RunResult {
  if (recorded === 'interrupted') return 'interrupted';
  return recorded === 'succeeded' || recorded === 'skipped' ? 'succeeded' : 'failed';
}

export interface Finished {
  outcome: IterationResult;
  /** The budget that stopped the iteration, if one did. */
  exceeded: BudgetExceeded | undefined;
  task: Task;
  iterations: number;
}

/** After an iteration: its result for the run, and whether the run stops here. */
export async function afterIteration(
  ctx: LoopContext,
  finished: Finished,
): Promise<{ state: HarnessState; result: RunResult; stop?: Stop }> {
  const { config } = ctx;
  const { outcome, exceeded } = finished;
  let { state } = outcome;
  if (exceeded) journalBudget(ctx, exceeded);
  // A budget stops an iteration with the run's own signal: that is a failure, not a user's stop.
  const result = ctx.signal.aborted
    ? 'interrupted'
    : resultOf(outcome.recorded === 'interrupted' && exceeded ? 'failed' : outcome.recorded);
  const done = (stop: Stop) => ({ state, result, stop });
  if (ctx.signal.aborted) return done(signalStop(ctx.signal));
  if (exceeded?.action === 'stop_run') return done({ kind: 'budget', reason: exceeded.message });
  if (exceeded?.action === 'park_task') {
    state = parkTask(state, finished.task.id, exceeded.message);
    ctx.journal.append({ type: 'task_parked', taskId: finished.task.id, cause: 'budget', reason: exceeded.message });
    await ctx.store.save(state);
  }
  if (outcome.reason === 'provider_auth')
    return done({ kind: 'provider_auth', reason: 'the model endpoint rejected the credentials' });
  if (failureLimitReached(state, config.maxConsecutiveFailures)) {
    ctx.journal.append({
      type: 'breaker',
      consecutiveFailures: state.consecutiveFailures,
      limit: config.maxConsecutiveFailures,
    });
    return done({
      kind: 'breaker',
      reason:
        `${state.consecutiveFailures} failed iterations in a row ` +
        `(maxConsecutiveFailures ${config.maxConsecutiveFailures})`,
    });
  }
  const limit = ctx.mode === 'once' ? 1 : config.maxIterations;
  if (finished.iterations >= limit)
    return done(
      ctx.mode === 'once'
        ? { kind: 'once_done', reason: 'one iteration done' }
        : { kind: 'max_iterations', reason: `maxIterations (${limit}) reached` },
    );
  return { state, result };
}
