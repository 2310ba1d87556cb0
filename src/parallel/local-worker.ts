/**
 * The local worktree worker: one iteration on one task in a git worktree of its own, on a branch
 * of its own created at the assignment's base commit, run exactly as a sequential iteration
 * (loop/iteration.ts) with its own pi sessions, guardrails, verification, tester and rescue. Its
 * events go to the run's one journal, stamped with the worker's id.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createTransport } from '../agent/create-transport.js';
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
import { AGENT_REFLOG_VARIABLE, agentReflogAction } from '../vocabulary/agent-marker.js';
import type { OwnRef } from '../guardrails/snapshot/index.js';
import { readFeedback } from '../visual/record.js';
import { headCommit } from '../workspace/git.js';
import type { Assignment, RunningIteration, Worker, WorkerEventListener, WorkerResult } from './worker.js';
import { workerConfig, workerStateFile, workerStore } from './worker-config.js';
import { addWorktree, workerBranch, worktreesRoot } from './worktrees.js';

export interface LocalWorkerOptions {
  id: string;
  /** The run's context: its configuration, journal and signal. */
  ctx: LoopContext;
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

export class LocalWorktreeWorker implements Worker {
  readonly id: string;
  private readonly options: LocalWorkerOptions;

  constructor(options: LocalWorkerOptions) {
    this.id = options.id;
    this.options = options;
  }

  start(assignment: Assignment, onEvent?: WorkerEventListener): RunningIteration & { result: Promise<WorkerResult> } {
    const controller = new AbortController();
    const result = this.run(assignment, controller.signal, onEvent);
    return { result, cancel: (reason) => controller.abort(reason) };
  }

  async close(): Promise<void> {}

  /** The run's journal as this worker writes to it, handing each event to `onEvent` too. */
  private journalFor(onEvent: WorkerEventListener | undefined): Journal {
    const view = this.options.ctx.journal.forWorker(this.id);
    if (!onEvent) return view;
    const append = view.append.bind(view);
    view.append = (body) => {
      const event = append(body);
      onEvent({ ...body, worker: this.id });
      return event;
    };
    return view;
  }

  private async run(
    assignment: Assignment,
    cancelled: AbortSignal,
    onEvent: WorkerEventListener | undefined,
  ): Promise<WorkerResult> {
    const { ctx } = this.options;
    const { config, runId } = ctx;
    const { iteration, task } = assignment;
    const worktree = path.join(worktreesRoot(config.repoRoot), runId, String(iteration));
    const branch = workerBranch(runId, iteration);
    await addWorktree({ repoRoot: config.repoRoot, dir: worktree, branch, base: assignment.baseCommit });
    const journal = this.journalFor(onEvent);
    journal.append({
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
      journal,
      store: workerStore(stateFile),
      harnessPaths: harnessOwnPaths(wconfig),
    };
    const ended = await this.iterate(wctx, assignment, cancelled);
    // Ended and counted: nothing left for crash recovery to find.
    await rm(stateFile, { force: true });
    const head = ended.recorded === 'succeeded' ? await headCommit(worktree) : undefined;
    return { ...ended, branch, worktree, ...(head ? { head } : {}) };
  }

  /** The iteration itself, with the worker's own guard, transport, budget watch and prompts. */
  private async iterate(
    wctx: LoopContext,
    assignment: Assignment,
    cancelled: AbortSignal,
  ): Promise<Pick<WorkerResult, 'recorded' | 'reason' | 'exceeded'>> {
    const { config } = wctx;
    const guard = await RunGuard.open(wctx, {
      label: this.id,
      ownRefs: this.options.ownRefs,
      exclusive: this.options.exclusive,
    });
    const watch = new IterationBudgetWatch(this.options.budget);
    const reporter = new TransportReporter(wctx.journal, watch);
    const launch = guard.piLaunch();
    // The agents' git commands carry the run's marker in their reflog messages (crash recovery reads it).
    const agentEnv = { ...wctx.io.env, [AGENT_REFLOG_VARIABLE]: agentReflogAction(wctx.runId) };
    const created = await createTransport(
      config,
      path.join(wctx.runDir, 'workers', this.id),
      agentEnv,
      listenForBlocks(reporter.listener, guard),
      launch,
    );
    const transport = launch ? guardedTransport(created.transport, guard) : created.transport;
    for (const message of created.warnings) wctx.journal.append({ type: 'warning', message });
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
      await transport.close();
      await guard.close();
    }
  }
}
