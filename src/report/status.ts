/**
 * `pi-harness status`: where the active run (or the last one) stands, from its journal alone —
 * decoded by the one decoder, folded by the one fold, summarised by the fold's shared views. No
 * model, no git: it has to answer in well under a second on a long run.
 */
import { foldJournal } from '../journal/fold-snapshot.js';
import { JournalFold } from '../journal/fold/fold.js';
import {
  budgetsOf,
  iterationRow,
  taskCounts,
  tasksByPhase,
  usageSoFar,
  type BudgetView,
  type IterationRow,
  type TaskStatus,
} from '../journal/fold/views.js';
import {
  mergeQueueOf,
  turnView,
  workerViews,
  type MergeQueueView,
  type WorkerTurnView,
  type WorkerView,
} from '../journal/fold/worker-views.js';
import type { RecordedStatus } from '../vocabulary/iterations.js';
import type { GitDirs } from '../runtime/harness-home.js';
import { findRun, type RunFiles } from './active-run.js';

export interface StatusDocument {
  repo: string;
  /** A live run holds the lock. */
  active: boolean;
  /** Why a lock is there without a live run (the run died). */
  staleLock: string | null;
  run: {
    id: string;
    command: string | null;
    pid: number | null;
    startedAt: string | null;
    finished: boolean;
    endedAt: string | null;
    exitCode: number | null;
    stopReason: string | null;
  } | null;
  paused: boolean;
  iteration: {
    number: number;
    task: string | null;
    phase: string | null;
    step: string;
    startedAt: string | null;
  } | null;
  /** The turn in flight, with how full its context is. */
  turn: (WorkerTurnView & { contextTokens: number | null; contextWindow: number | null }) | null;
  iterations: { ended: number; succeeded: number; byStatus: Partial<Record<RecordedStatus, number>> };
  commits: number;
  rescues: number;
  tasks: Record<TaskStatus, number>;
  tokens: number;
  cost: number;
  budgets: BudgetView[];
  lastIteration: IterationRow | null;
  /** Operator requests received and not yet settled. */
  pendingControls: { id: string; action: string; plan: string }[];
  /** A parallel run's workers, each with its task, step and turn in flight (absent in a sequential run). */
  workers?: WorkerView[];
  /** A parallel run's merge queue (absent in a sequential run). */
  mergeQueue?: MergeQueueView;
}

function turnOf(fold: JournalFold, now: number): StatusDocument['turn'] {
  const turn = fold.turn;
  if (!turn) return null;
  return { ...turnView(turn, now), contextTokens: turn.contextTokens, contextWindow: turn.contextWindow };
}

/** The status document of a folded run. */
export function statusOf(
  fold: JournalFold,
  context: { repo: string; active: boolean; staleLock: string | null; now: number },
): StatusDocument {
  const { run } = fold;
  const current = fold.current;
  const usage = usageSoFar(fold);
  const last = [...fold.iterations].reverse().find((it) => it.ended);
  return {
    repo: context.repo,
    active: context.active,
    staleLock: context.staleLock,
    run: run.runId
      ? {
          id: run.runId,
          command: run.command,
          pid: run.pid,
          startedAt: run.startedAt,
          finished: run.finished,
          endedAt: run.endedAt,
          exitCode: run.exitCode,
          stopReason: run.stopReason,
        }
      : null,
    paused: fold.control.paused,
    iteration: current
      ? {
          number: current.iteration,
          task: current.task?.text ?? null,
          phase: current.task?.phase ?? null,
          step: current.step,
          startedAt: current.startedAt,
        }
      : null,
    turn: turnOf(fold, context.now),
    iterations: { ended: run.ended, succeeded: run.succeeded, byStatus: run.counts },
    commits: run.commits.length,
    rescues: run.rescues.length,
    tasks: taskCounts(tasksByPhase(fold)),
    tokens: usage.input + usage.output,
    cost: usage.cost,
    budgets: budgetsOf(fold, context.now),
    lastIteration: last ? iterationRow(last) : null,
    pendingControls: fold.control.requests
      .filter((request) => request.result === null)
      .map((request) => ({ id: request.id, action: request.action, plan: request.plan })),
    ...(fold.workers.size > 0 ? { workers: workerViews(fold, context.now), mergeQueue: mergeQueueOf(fold) } : {}),
  };
}

/** Finds the active (or last) run and folds its journal (`dirs`: the git directories, when known already). */
export async function buildStatus(
  config: RunFiles & { repoRoot: string },
  now: number = Date.now(),
  dirs?: GitDirs,
): Promise<StatusDocument> {
  const lookup = await findRun(config, dirs);
  const journal = lookup.kind === 'active' ? lookup.journal : lookup.latest?.journal;
  const fold = journal ? foldJournal(journal) : new JournalFold();
  const staleLock = lookup.kind === 'idle' && lookup.stale ? lookup.stale.reason : null;
  return statusOf(fold, { repo: config.repoRoot, active: lookup.kind === 'active', staleLock, now });
}
