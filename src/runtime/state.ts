/**
 * The harness's persistent state: per-task attempt counts and parking, the run of
 * consecutive failures, the iteration total, and the iteration in progress — recorded before agent
 * work starts so that after a crash the next run knows what was going on.
 *
 * Counters only ever go up, with one exception: a successful iteration resets
 * `consecutiveFailures`. No recovery path (crash recovery, a stale lock, a corrupt file) resets a
 * counter: a corrupt state file is moved aside and reported, never silently replaced, so the
 * previous numbers can still be read from it.
 */
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.js';
import { isFailureStatus, RECORDED_STATUSES, type RecordedStatus } from '../vocabulary/iterations.js';

export const STATE_VERSION = 1;

export type { RecordedStatus } from '../vocabulary/iterations.js';
export { isFailureStatus } from '../vocabulary/iterations.js';

const taskRecordSchema = z.object({
  /** Iterations that ended on this task, whatever their outcome. */
  attempts: z.number().int().nonnegative(),
  /** Of those, the ones that failed (failed, stalled, blocked, crashed): parking counts these. */
  failures: z.number().int().nonnegative(),
  lastStatus: z.enum(RECORDED_STATUSES),
  lastReason: z.string().optional(),
  lastAt: z.string(),
  parked: z.boolean(),
  parkedAt: z.string().optional(),
});
export type TaskRecord = z.infer<typeof taskRecordSchema>;

const inProgressSchema = z.object({
  runId: z.string().min(1),
  iteration: z.number().int().positive(),
  taskId: z.string().min(1),
  taskText: z.string(),
  startCommit: z.string().min(1),
  /** The branch HEAD was on (`refs/heads/...`), null when detached: restore puts HEAD back on it. */
  startBranch: z.string().nullable().optional(),
  /** The snapshot of files that were dirty at the start (allowDirty), if there were any. */
  preDirtyRef: z.string().optional(),
  startedAt: z.string(),
});
export type InProgressIteration = z.infer<typeof inProgressSchema>;

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  tasks: z.record(z.string(), taskRecordSchema),
  consecutiveFailures: z.number().int().nonnegative(),
  totalIterations: z.number().int().nonnegative(),
  inProgress: inProgressSchema.nullable(),
  updatedAt: z.string(),
});
export type HarnessState = z.infer<typeof stateSchema>;

export function emptyState(now: Date = new Date()): HarnessState {
  return {
    version: STATE_VERSION,
    tasks: {},
    consecutiveFailures: 0,
    totalIterations: 0,
    inProgress: null,
    updatedAt: now.toISOString(),
  };
}

export function parseState(value: unknown): HarnessState {
  const result = stateSchema.safeParse(value);
  if (!result.success) throw new Error(`invalid harness state: ${z.prettifyError(result.error)}`);
  return result.data;
}

export type LoadedState =
  | { kind: 'loaded'; state: HarnessState }
  | { kind: 'new'; state: HarnessState }
  /** The file was unreadable; it was moved to `movedTo` and the run starts from empty state. */
  | { kind: 'corrupt'; state: HarnessState; movedTo: string; reason: string };

export async function loadState(file: string): Promise<LoadedState> {
  const result = await readJsonFile(file, parseState);
  if (result.kind === 'ok') return { kind: 'loaded', state: result.value };
  if (result.kind === 'missing') return { kind: 'new', state: emptyState() };
  return { kind: 'corrupt', state: emptyState(), movedTo: result.movedTo, reason: result.reason };
}

export async function saveState(file: string, state: HarnessState): Promise<void> {
  // Validate before writing: a bug must not produce a file the next run would move aside.
  const valid = parseState(state);
  await writeFileAtomic(file, `${JSON.stringify(valid, null, 2)}\n`);
}

/** Records the iteration about to start. Refuses while an earlier one is unresolved. */
export function beginIteration(state: HarnessState, record: InProgressIteration, now: Date = new Date()): HarnessState {
  if (state.inProgress) {
    const old = state.inProgress;
    throw new Error(
      `iteration ${old.iteration} of run ${old.runId} (task ${old.taskId}) is still recorded as in progress; recover it first`,
    );
  }
  return { ...state, inProgress: { ...record }, updatedAt: now.toISOString() };
}

export interface IterationResult {
  taskId: string;
  status: RecordedStatus;
  reason?: string;
  /** Failures after which the task is parked. */
  maxTaskAttempts: number;
}

export interface RecordedResult {
  state: HarnessState;
  task: TaskRecord;
  /** The task was parked by this result. */
  parkedNow: boolean;
}

/**
 * Counts a finished iteration: one more attempt on the task, one more failure when it failed
 * (parking the task at maxTaskAttempts failures), the consecutive-failure run extended on a failure
 * and reset only on success, and the in-progress record cleared. Pure: returns new state.
 */
export function recordIterationResult(
  state: HarnessState,
  result: IterationResult,
  now: Date = new Date(),
): RecordedResult {
  const at = now.toISOString();
  const failed = isFailureStatus(result.status);
  const previous = state.tasks[result.taskId];
  const failures = (previous?.failures ?? 0) + (failed ? 1 : 0);
  const parkedNow = !previous?.parked && failed && failures >= result.maxTaskAttempts;
  const task: TaskRecord = {
    attempts: (previous?.attempts ?? 0) + 1,
    failures,
    lastStatus: result.status,
    lastAt: at,
    parked: (previous?.parked ?? false) || parkedNow,
    ...(result.reason !== undefined ? { lastReason: result.reason } : {}),
    ...(parkedNow ? { parkedAt: at } : previous?.parkedAt ? { parkedAt: previous.parkedAt } : {}),
  };
  let consecutiveFailures = state.consecutiveFailures;
  if (failed) consecutiveFailures += 1;
  else if (result.status === 'succeeded') consecutiveFailures = 0;
  // skipped and interrupted neither extend nor break the run of failures.
  return {
    state: {
      ...state,
      tasks: { ...state.tasks, [result.taskId]: task },
      consecutiveFailures,
      totalIterations: state.totalIterations + 1,
      inProgress: null,
      updatedAt: at,
    },
    task,
    parkedNow,
  };
}

export function isParked(state: HarnessState, taskId: string): boolean {
  return state.tasks[taskId]?.parked ?? false;
}

export function parkedTasks(state: HarnessState): string[] {
  return Object.entries(state.tasks)
    .filter(([, task]) => task.parked)
    .map(([id]) => id);
}

/** True when the run must stop: `maxConsecutiveFailures` failed iterations in a row (0 = never). */
export function failureLimitReached(state: HarnessState, maxConsecutiveFailures: number): boolean {
  return maxConsecutiveFailures > 0 && state.consecutiveFailures >= maxConsecutiveFailures;
}

/**
 * Parks a task at once, whatever its failure count (its token budget ran out): the run moves on
 * to the next task. Counters are left as they are.
 */
export function parkTask(state: HarnessState, taskId: string, reason: string, now: Date = new Date()): HarnessState {
  const at = now.toISOString();
  const previous = state.tasks[taskId];
  const task: TaskRecord = {
    attempts: previous?.attempts ?? 0,
    failures: previous?.failures ?? 0,
    lastStatus: previous?.lastStatus ?? 'failed',
    lastAt: previous?.lastAt ?? at,
    lastReason: reason,
    parked: true,
    parkedAt: previous?.parkedAt ?? at,
  };
  return { ...state, tasks: { ...state.tasks, [taskId]: task }, updatedAt: at };
}

/**
 * Gives a parked task back to the run (`pi-harness retry`): unparked, with its failures forgotten so
 * it gets maxTaskAttempts fresh attempts. Its attempts stay counted. Pure: returns new state.
 */
export function unparkTask(state: HarnessState, taskId: string, now: Date = new Date()): HarnessState {
  const previous = state.tasks[taskId];
  if (!previous?.parked) return state;
  const { parkedAt: _parkedAt, ...rest } = previous;
  const task: TaskRecord = { ...rest, failures: 0, parked: false };
  return { ...state, tasks: { ...state.tasks, [taskId]: task }, updatedAt: now.toISOString() };
}
