/**
 * The parallel scheduler: up to N workers, each given a task of the current phase at the start
 * branch's tip; as each iteration ends, a success goes to the merge queue — its worker free at once
 * to take the next task while the merge runs (the task stays busy until merged) — and the result is
 * counted, once merged or refused, in the run's one state — with the same
 * budgets, breaker and stop rules as a sequential run (loop/iteration-stops.ts). A merge conflict or
 * a failing merged verification sends the task back to a developer once, on top of what was merged;
 * a second one fails the task (parked, run exits 1) with its work in a rescue ref. A worker keeps its
 * worktree and pi processes from one task to the next; the scheduler closes every worker when the
 * run ends, whichever way it ends (each keeps its worktree's HEAD before removing it).
 */
import { afterIteration, type Stop } from '../loop/iteration-stops.js';
import type { RunEnded } from '../loop/iterate.js';
import type { LoopContext } from '../loop/loop-context.js';
import type { BudgetGuard } from '../runtime/budget.js';
import type { RunLock } from '../runtime/lock.js';
import { isParked, parkTask, recordIterationResult, type HarnessState } from '../runtime/state.js';
import { loadTaskFile, type Task } from '../tasks/index.js';
import { errorMessage } from '../util/errors.js';
import type { RunResult } from '../vocabulary/exit-codes.js';
import { git } from '../workspace/git.js';
import type { MergeQueue, MergeResult } from './merge-queue.js';
import { pickTasks } from './pick.js';
import type { Assignment, RunningIteration, Worker, WorkerResult } from './worker.js';
import { WorktreeSetupError } from './worktree-setup.js';

interface InFlight {
  worker: Worker;
  assignment: Assignment;
  running: RunningIteration;
  /** The worker's result; undefined when the worker failed outside its iteration (journaled). */
  settled: Promise<WorkerResult | undefined>;
}

/** A success in the merge queue. The task is busy until its merge ends; its worker may be on another. */
interface Merging {
  entry: InFlight;
  result: WorkerResult;
  /** Never rejects (a failure is carried), so that nothing awaits it unhandled while a task is assigned. */
  merged: Promise<{ merged: MergeResult } | { error: unknown }>;
}

type Ended =
  | { kind: 'ended'; entry: InFlight; result: WorkerResult | undefined }
  | { kind: 'merged'; merge: Merging; merged: { merged: MergeResult } | { error: unknown } };

export interface SchedulerOptions {
  ctx: LoopContext;
  lock: RunLock;
  state: HarnessState;
  workers: Worker[];
  queue: MergeQueue;
  budget: BudgetGuard;
  startBranch: string;
}

const SIGNAL: Stop = { kind: 'signal', reason: 'stopped by a signal' };

export class Scheduler {
  state: HarnessState;
  private readonly options: SchedulerOptions;
  private readonly idle: Worker[];
  private readonly flying = new Set<InFlight>();
  private readonly merging = new Set<Merging>();
  /** A worktree could not be made ready for tests (worktree-setup.ts): the run ends with it. */
  private setupFailure: WorktreeSetupError | undefined;
  /** Tasks sent back to a developer after a failed merge: what to tell it. */
  private readonly redo = new Map<string, string>();
  private readonly redone = new Set<string>();
  private nextIteration: number;
  private started = 0;
  private succeeded = 0;
  private result: RunResult = 'succeeded';

  constructor(options: SchedulerOptions) {
    this.options = options;
    this.state = options.state;
    this.idle = [...options.workers];
    this.nextIteration = options.state.totalIterations + 1;
  }

  async run(): Promise<RunEnded> {
    try {
      return await this.iterate();
    } finally {
      // On an error path: merges still queued end (each keeps its commit) before any worktree goes.
      await Promise.all([...this.merging].map((merge) => merge.merged));
      await this.closeWorkers();
    }
  }

  /** Every worker closed (an iteration still in flight cancelled first); a failure to close is journaled. */
  private async closeWorkers(): Promise<void> {
    const closed = await Promise.allSettled(this.options.workers.map((worker) => worker.close()));
    for (const [index, outcome] of closed.entries()) {
      if (outcome.status === 'fulfilled') continue;
      const worker = this.options.workers[index]!.id;
      this.options.ctx.journal.append({
        type: 'warning',
        message: `worker ${worker} could not be closed: ${errorMessage(outcome.reason)}`,
      });
    }
  }

  private async iterate(): Promise<RunEnded> {
    let stop: Stop | undefined;
    while (true) {
      if (!stop) stop = await this.fill();
      if (this.pending() === 0) break;
      const after = await this.next();
      if (after && !stop) {
        stop = after;
        for (const entry of this.flying) entry.running.cancel(new Error(after.reason));
      }
    }
    // A skip asked for during the last iterations still parks its task.
    this.state = await this.options.ctx.control.checkpoint(this.state, this.options.ctx.signal, { hold: false });
    stop ??= { kind: 'all_done', reason: 'all tasks done' };
    if (stop.kind === 'signal') this.result = 'interrupted';
    if (stop.kind === 'all_parked') this.result = 'failed';
    return { kind: 'ran', result: this.result, stop, iterations: this.started, succeeded: this.succeeded };
  }

  /** Iterations running and merges queued: the run ends when none is left. */
  private pending(): number {
    return this.flying.size + this.merging.size;
  }

  /**
   * Waits for the next iteration to end or merge to finish. A success goes to the merge queue and
   * its worker is idle at once; anything else, and a merge's verdict, is counted (settle).
   */
  private async next(): Promise<Stop | undefined> {
    const next = await Promise.race<Ended>([
      ...[...this.flying].map((entry) => entry.settled.then((result): Ended => ({ kind: 'ended', entry, result }))),
      ...[...this.merging].map((merge) => merge.merged.then((merged): Ended => ({ kind: 'merged', merge, merged }))),
    ]);
    if (next.kind === 'merged') {
      this.merging.delete(next.merge);
      if ('error' in next.merged && next.merged.error instanceof WorktreeSetupError)
        return this.setupStop(next.merged.error);
      if ('error' in next.merged) throw next.merged.error;
      return this.settle(next.merge.entry, next.merge.result, next.merged.merged);
    }
    const { entry, result } = next;
    this.flying.delete(entry);
    this.idle.push(entry.worker);
    // A worker whose worktree could not be prepared has nothing to count (no agent ran).
    if (result === undefined && this.setupFailure) return this.setupStop(this.setupFailure);
    if (result?.recorded !== 'succeeded' || !result.head) return this.settle(entry, result, undefined);
    const merged = this.options.queue
      .merge({
        worker: entry.worker.id,
        iteration: entry.assignment.iteration,
        task: entry.assignment.task,
        from: result.head,
        base: entry.assignment.baseCommit,
      })
      .then(
        (value) => ({ merged: value }),
        (error: unknown) => ({ error }),
      );
    this.merging.add({ entry, result, merged });
    return undefined;
  }

  /** Starts tasks on idle workers; returns why the run stops when nothing is left to start or run. */
  private async fill(): Promise<Stop | undefined> {
    const { ctx } = this.options;
    if (ctx.signal.aborted) return SIGNAL;
    // Operator requests between iterations: parks and unparks at once; a pause lets the iterations
    // in flight end, then holds here (no new task) until resume or stop.
    const pausing = ctx.control.pauseRequest !== undefined;
    this.state = await ctx.control.checkpoint(this.state, ctx.signal, { hold: pausing && this.pending() === 0 });
    if (ctx.signal.aborted) return SIGNAL;
    if (ctx.control.pauseRequest !== undefined && this.pending() > 0) return undefined;
    if (this.started >= ctx.config.maxIterations)
      return this.pending() > 0
        ? undefined
        : { kind: 'max_iterations', reason: `maxIterations (${ctx.config.maxIterations}) reached` };
    const { file } = await loadTaskFile(ctx.config.taskFile);
    const busy = new Set(
      [...this.flying, ...[...this.merging].map((merge) => merge.entry)].map((e) => e.assignment.task.id),
    );
    const pick = pickTasks({ tasks: file.tasks, isParked: (id) => isParked(this.state, id), busy });
    if (pick.kind === 'all_done') return { kind: 'all_done', reason: 'all tasks done' };
    if (pick.kind === 'all_parked')
      return { kind: 'all_parked', reason: `no open task left that is not parked (${pick.parked} parked)` };
    if (pick.kind === 'wait') return undefined;
    const openAtStart = new Set(file.tasks.filter((task) => !task.done).map((task) => task.id));
    for (const task of pick.tasks) {
      if (this.idle.length === 0 || this.started >= ctx.config.maxIterations) break;
      const spent = this.options.budget.check(task.id);
      if (spent?.action === 'stop_run') {
        ctx.journal.append({ type: 'budget', ...spent, ...(spent.taskId ? { taskId: spent.taskId } : {}) });
        return { kind: 'budget', reason: spent.message };
      }
      if (spent) continue;
      await this.assign(task, openAtStart);
    }
    await this.options.lock.setStatus(`${this.flying.size} iteration(s) in flight, ${this.merging.size} merging`);
    return undefined;
  }

  private async assign(task: Task, openAtStart: ReadonlySet<string>): Promise<void> {
    const { ctx, startBranch } = this.options;
    const worker = this.idle.shift()!;
    const baseCommit = (await git(ctx.config.repoRoot, ['rev-parse', startBranch])).trim();
    const redo = this.redo.get(task.id);
    this.redo.delete(task.id);
    const assignment: Assignment = {
      iteration: this.nextIteration++,
      task,
      baseCommit,
      openAtStart,
      ...(redo ? { redo } : {}),
    };
    this.started += 1;
    const running = worker.start(assignment);
    // A worker that fails outside its iteration (its worktree could not be made) ends like a failed one.
    const settled = running.result.catch((error: unknown) => {
      // A worktree that cannot be made ready for tests fails every task the same way: the run stops
      // (thrown from next(), where it is awaited; thrown here it would be nobody's rejection yet).
      if (error instanceof WorktreeSetupError) {
        this.setupFailure ??= error;
        return undefined;
      }
      ctx.journal.append({ type: 'error', iteration: assignment.iteration, message: errorMessage(error) });
      return undefined;
    });
    this.flying.add({ worker, assignment, running, settled });
  }

  /** A finished iteration — merged, sent back, or failed before the queue — counted, and the stop rules asked. */
  private async settle(
    entry: InFlight,
    result: WorkerResult | undefined,
    merged: MergeResult | undefined,
  ): Promise<Stop | undefined> {
    const { ctx } = this.options;
    const { task } = entry.assignment;
    let recorded = result?.recorded ?? 'failed';
    let reason: string = result?.reason ?? 'worker_error';
    // A task sent back after its first refused merge counts a failed attempt, but the run fails only
    // if the task does.
    let sentBack = false;
    if (merged) {
      if (merged.outcome === 'merged') this.succeeded += 1;
      else {
        recorded = 'failed';
        reason = merged.outcome === 'conflict' ? 'merge_conflict' : 'merge_verify_failed';
        sentBack = this.sendBack(task, merged);
      }
    }
    this.state = recordIterationResult(this.state, {
      taskId: task.id,
      status: recorded,
      reason,
      maxTaskAttempts: ctx.config.maxTaskAttempts,
    }).state;
    await ctx.store.save(this.state);
    const outcome = {
      state: this.state,
      recorded: sentBack ? ('succeeded' as const) : recorded,
      reason: result?.reason ?? ('developer_failed' as const),
    };
    const after = await afterIteration(ctx, { outcome, exceeded: result?.exceeded, task, iterations: 0 });
    this.state = after.state;
    this.result = worse(this.result, after.result);
    return after.stop;
  }

  /** The run stops, failed: no task can pass where its tests cannot run (no attempt is counted against it). */
  private setupStop(error: WorktreeSetupError): Stop {
    this.result = 'failed';
    return { kind: 'setup_failed', reason: error.message };
  }

  /** A merge refused: back to a developer once, on top of the start branch; a second time, the task fails. */
  private sendBack(task: Task, merged: Exclude<MergeResult, { outcome: 'merged' }>): boolean {
    if (!this.redone.has(task.id)) {
      this.redone.add(task.id);
      const what = merged.outcome === 'conflict' ? 'conflicted with' : 'failed verification once merged onto';
      this.redo.set(
        task.id,
        `An earlier attempt at this task ${what} changes merged since (${merged.detail}). ` +
          'Start from the files as they are now and make the change fit them.',
      );
      return true;
    }
    this.result = 'failed';
    this.state = parkTask(this.state, task.id, `its change could not be merged twice (${merged.outcome})`);
    return false;
  }
}

function worse(a: RunResult, b: RunResult): RunResult {
  if (a === 'interrupted' || b === 'interrupted') return 'interrupted';
  return a === 'failed' || b === 'failed' ? 'failed' : 'succeeded';
}
