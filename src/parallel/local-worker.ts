/**
 * The local worktree worker: one iteration at a time on one task, in the worker's one worktree (its
 * slot, moved to a branch of its own at each assignment's base commit), run exactly as a sequential
 * iteration (loop/iteration.ts) with its own pi sessions, guardrails, verification, tester and
 * rescue. Like the sequential loop, it keeps one guard and one transport for all its iterations, so
 * its pi processes stay warm from one task to the next (the warm pool's launch key holds the working
 * directory: a worktree at a new path would start pi cold every time). Its events go to the run's
 * one journal, stamped with the worker's id.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createTransport } from '../agent/create-transport.js';
import type { Transport } from '../agent/types.js';
import type { Journal } from '../journal/writer.js';
import { IterationBudgetWatch } from '../loop/budget-watch.js';
import { guardedTransport, listenForBlocks } from '../loop/guard/guarded-transport.js';
import { RunGuard } from '../loop/guard/run-guard.js';
import type { RunIntegrity } from '../loop/integrity-run.js';
import { runIteration } from '../loop/iteration.js';
import { taskRef } from '../loop/iteration-run.js';
import type { Guidance, LoopContext } from '../loop/loop-context.js';
import { createPromptSource } from '../loop/prompt-adapter.js';
import { TransportReporter } from '../loop/transport-reporter.js';
import type { BudgetGuard } from '../runtime/budget.js';
import type { HarnessState } from '../runtime/state.js';
import { harnessOwnPaths } from '../runtime/own-paths.js';
import { errorMessage } from '../util/errors.js';
import { AGENT_REFLOG_VARIABLE, agentReflogAction } from '../vocabulary/agent-marker.js';
import type { OwnRef } from '../guardrails/snapshot/index.js';
import { readFeedback } from '../visual/record.js';
import { headCommit } from '../workspace/git.js';
import type { Assignment, RunningIteration, Worker, WorkerEventListener, WorkerResult } from './worker.js';
import { workerConfig, workerStateFile, workerStore } from './worker-config.js';
import { WorkerSlot } from './worker-slot.js';
import { worktreePreparer } from './worktree-setup.js';

export interface LocalWorkerOptions {
  id: string;
  /** The run's context: its configuration, journal and signal. */
  ctx: LoopContext;
  /** The branch (`refs/heads/...`) the merge queue moves: a commit it holds is kept. */
  startBranch: string;
  /** The run-wide budgets every worker counts against. */
  budget: BudgetGuard;
  /** The run's persistent state as it is now (attempts and parking per task). */
  state: () => HarnessState;
  /** What the run's verifications taught the integrity checks (passing trees, the one start baseline). */
  integrity: RunIntegrity;
  /** Refs the scheduler moves while iterations run: never "restored" by a worker's guardrails. */
  ownRefs: () => Record<string, OwnRef>;
  /** Runs a guard's restore while the scheduler moves none of those refs. */
  exclusive: <T>(work: () => Promise<T>) => Promise<T>;
}

/** What a worker keeps from one iteration to the next, for one worktree directory. */
interface WorkerTools {
  dir: string;
  guard: RunGuard;
  transport: Transport;
  watch: IterationBudgetWatch;
  reporter: TransportReporter;
}

export class LocalWorktreeWorker implements Worker {
  readonly id: string;
  private readonly options: LocalWorkerOptions;
  /** The run's journal as this worker writes to it; each event handed to the current listener too. */
  private readonly journal: Journal;
  private listener: WorkerEventListener | undefined;
  private readonly slot: WorkerSlot;
  private tools: WorkerTools | undefined;
  private current: { controller: AbortController; done: Promise<unknown> } | undefined;

  constructor(options: LocalWorkerOptions) {
    this.id = options.id;
    this.options = options;
    this.journal = this.workerJournal();
    const { ctx } = options;
    this.slot = new WorkerSlot({
      worker: options.id,
      repoRoot: ctx.config.repoRoot,
      runId: ctx.runId,
      startBranch: options.startBranch,
      journal: this.journal,
      prepare: worktreePreparer({
        config: ctx.config,
        journal: this.journal,
        worker: options.id,
        env: ctx.io.env,
        signal: ctx.signal,
      }),
      keepIgnored: ctx.config.worktreeDependencies,
    });
  }

  start(assignment: Assignment, onEvent?: WorkerEventListener): RunningIteration & { result: Promise<WorkerResult> } {
    if (this.current) throw new Error(`worker ${this.id} was given a task while its last iteration runs`);
    this.listener = onEvent;
    const controller = new AbortController();
    const result = this.run(assignment, controller.signal);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    this.current = { controller, done };
    void done.then(() => {
      if (this.current?.done === done) this.current = undefined;
    });
    return { result, cancel: (reason) => controller.abort(reason) };
  }

  /**
   * Ends what the worker holds: an iteration still running is cancelled (its work rescued) and
   * awaited, its pi processes and guard closed, and its worktree removed once its HEAD is kept.
   */
  async close(): Promise<void> {
    const current = this.current;
    if (current) {
      current.controller.abort(new Error('the run is ending'));
      await current.done;
    }
    await this.closeTools();
    await this.slot.remove();
  }

  private workerJournal(): Journal {
    const view = this.options.ctx.journal.forWorker(this.id);
    const append = view.append.bind(view);
    view.append = (body) => {
      const event = append(body);
      this.listener?.({ ...body, worker: this.id });
      return event;
    };
    return view;
  }

  private async run(assignment: Assignment, cancelled: AbortSignal): Promise<WorkerResult> {
    const { ctx } = this.options;
    const { config, runId } = ctx;
    const { iteration, task } = assignment;
    const { dir: worktree, branch } = await this.slot.take(iteration, assignment.baseCommit);
    this.journal.append({
      type: 'worker_start',
      worker: this.id,
      iteration,
      task: taskRef(task),
      baseCommit: assignment.baseCommit,
      branch,
      worktree,
    });
    const stateFile = workerStateFile(ctx.home, runId, iteration);
    const wconfig = workerConfig(config, worktree, stateFile);
    const wctx: LoopContext = {
      ...ctx,
      config: wconfig,
      journal: this.journal,
      store: workerStore(stateFile),
      harnessPaths: harnessOwnPaths(wconfig),
    };
    const tools = await this.toolsFor(wctx);
    const ended = await this.iterate(wctx, tools, assignment, cancelled);
    // Ended and counted: nothing left for crash recovery to find.
    await rm(stateFile, { force: true });
    const head = ended.recorded === 'succeeded' ? await headCommit(worktree) : undefined;
    return { ...ended, branch, worktree, ...(head ? { head } : {}) };
  }

  /**
   * The worker's guard and transport, opened on its first iteration in a worktree and kept for the
   * next ones there (a worktree left behind for a new one, see WorkerSlot, needs new ones: the guard
   * and pi are bound to the directory).
   */
  private async toolsFor(wctx: LoopContext): Promise<WorkerTools> {
    const dir = wctx.config.repoRoot;
    if (this.tools?.dir === dir) return this.tools;
    await this.closeTools();
    const guard = await RunGuard.open(wctx, {
      label: this.id,
      ownRefs: this.options.ownRefs,
      exclusive: this.options.exclusive,
    });
    const watch = new IterationBudgetWatch(this.options.budget);
    const reporter = new TransportReporter(this.journal, watch);
    const launch = guard.piLaunch();
    // The agents' git commands carry the run's marker in their reflog messages (crash recovery reads it).
    const agentEnv = { ...wctx.io.env, [AGENT_REFLOG_VARIABLE]: agentReflogAction(wctx.runId) };
    const created = await createTransport(
      wctx.config,
      path.join(wctx.runDir, 'workers', this.id),
      agentEnv,
      listenForBlocks(reporter.listener, guard),
      launch,
    ).catch(async (error: unknown) => {
      await guard.close();
      throw error;
    });
    const transport = launch ? guardedTransport(created.transport, guard) : created.transport;
    for (const message of created.warnings) this.journal.append({ type: 'warning', message });
    this.tools = { dir, guard, transport, watch, reporter };
    return this.tools;
  }

  private async closeTools(): Promise<void> {
    const tools = this.tools;
    this.tools = undefined;
    if (!tools) return;
    try {
      await tools.transport.close();
    } finally {
      await tools.guard.close();
    }
  }

  /** The iteration itself, with the worker's guard, transport and budget watch, and its own prompts. */
  private async iterate(
    wctx: LoopContext,
    tools: WorkerTools,
    assignment: Assignment,
    cancelled: AbortSignal,
  ): Promise<Pick<WorkerResult, 'recorded' | 'reason' | 'exceeded'>> {
    const { config } = wctx;
    const { guard, transport, watch, reporter } = tools;
    // Files an earlier task's agents made visible went with its worktree's clean-up: this task starts
    // as in a fresh worktree.
    guard.visibleIgnored.clear();
    const guidance: Guidance = {
      loopConstraints: assignment.redo ? [assignment.redo] : [],
      largeFileWarnings: [],
      recent: [],
    };
    const prompts = await createPromptSource({
      config,
      guidance: () => guidance,
      operatorGuidance: (kind) => wctx.control.takeGuidance(kind),
      visualFeedback: () => readFeedback(config.visualFeedbackFile),
    });
    const signal = AbortSignal.any([
      watch.begin(assignment.task.id, AbortSignal.any([wctx.signal, cancelled])),
      wctx.control.beginIteration(assignment.iteration, assignment.task.id),
    ]);
    reporter.iteration = assignment.iteration;
    try {
      const outcome = await runIteration(wctx, {
        transport,
        state: { ...this.options.state(), inProgress: null },
        task: assignment.task,
        iteration: assignment.iteration,
        openAtStart: assignment.openAtStart,
        prompts,
        guard,
        preDirtyPaths: [],
        guidance,
        signal,
        integrity: this.options.integrity,
      });
      return {
        recorded: outcome.recorded,
        reason: outcome.reason,
        ...(watch.exceeded ? { exceeded: watch.exceeded } : {}),
      };
    } finally {
      reporter.iteration = undefined;
      watch.end();
      wctx.control.endIteration(assignment.iteration);
      // Idle pi processes end between iterations except one warm one per model/tools (as in a
      // sequential run), so the worker's next task starts its turns in a running pi.
      await transport.releaseSessions?.().catch((error: unknown) => {
        this.journal.append({ type: 'warning', message: `pi processes could not be released: ${errorMessage(error)}` });
      });
    }
  }
}
