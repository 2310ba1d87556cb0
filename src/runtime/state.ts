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
import { readFile } from 'node:fs/promises';
import { z } from '../util/validator.js';
import { readJsonFile, writeFileAtomic, writeFileAtomicSync } from '../util/atomic-file.js';
import { errorCode } from '../util/errors.js';
import { NewerVersionError, newerVersionOf } from './newer-version.js';
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
  /**
   * HEAD as the harness read it after the iteration's last step: commits below it were made during
   * the iteration (by its agents), commits above it after that step — crash recovery tells them
   * apart (docs/iteration.md). Missing in states of older versions: the start commit then.
   */
  head: z.string().min(1).optional(),
  /** The iteration's commit, recorded the moment it was made (and dropped again if a visual review vetoes it). */
  commit: z.string().min(1).optional(),
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
  /** No state where it belongs, but a valid one where an earlier version kept it: carried over. */
  | { kind: 'imported'; state: HarnessState; from: string }
  | { kind: 'new'; state: HarnessState }
  /** The file was unreadable; it was moved to `movedTo` and the run starts from empty state. */
  | { kind: 'corrupt'; state: HarnessState; movedTo: string; reason: string };

/** Throws NewerVersionError when `file` was written by a newer version; reads, never changes anything. */
export async function checkStateVersion(file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return; // corrupt, not newer: loadState moves it aside
  }
  const newer = newerVersionOf(value, STATE_VERSION);
  if (newer !== undefined) throw new NewerVersionError(file, newer, STATE_VERSION);
}

/** The state in `file`; a newer version's file throws NewerVersionError and stays as it is. */
export async function loadState(file: string): Promise<LoadedState> {
  await checkStateVersion(file);
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

/** Where the state lives (out of the work tree's reach) and where its projection goes. */
export interface StatePlaces {
  stateFile: string;
  /** `stateFile` of the configuration: a copy for people and tools, and where versions before this one kept the state. */
  stateProjection: string;
}

/**
 * The state in its safe place, with its projection kept current. A failed projection write never
 * fails a save (the state itself is written first); `onProjectionError` hears about it.
 */
export class StateStore {
  readonly places: StatePlaces;
  private readonly onProjectionError: (error: unknown) => void;
  /** The state last saved: written to the projection again when it has been deleted. */
  private last: HarnessState | undefined;

  constructor(places: StatePlaces, onProjectionError: (error: unknown) => void = () => {}) {
    this.places = places;
    this.onProjectionError = onProjectionError;
  }

  /** Throws NewerVersionError when either file is a newer version's: checked before anything is written. */
  async checkVersions(): Promise<void> {
    await checkStateVersion(this.places.stateFile);
    if (this.places.stateProjection !== this.places.stateFile) await checkStateVersion(this.places.stateProjection);
  }

  /**
   * The state; with none in its place, a valid state where an earlier version kept it (the
   * projection's path) is carried over, so a crash recovery pending from before the upgrade is
   * not lost. That file is never moved aside: it is only a projection now.
   */
  async load(): Promise<LoadedState> {
    const loaded = await loadState(this.places.stateFile);
    if (loaded.kind !== 'new' || this.places.stateProjection === this.places.stateFile) return loaded;
    await checkStateVersion(this.places.stateProjection);
    try {
      const state = parseState(JSON.parse(await readFile(this.places.stateProjection, 'utf8')));
      return { kind: 'imported', state, from: this.places.stateProjection };
    } catch {
      return loaded; // none there either, or not a state: nothing to carry over
    }
  }

  async save(state: HarnessState): Promise<void> {
    await saveState(this.places.stateFile, state);
    this.last = state;
    await this.project(state);
  }

  /** Writes the projection of the state last saved again (its directory was deleted). */
  async reproject(): Promise<void> {
    if (this.last) await this.project(this.last);
  }

  /**
   * Writes the projection (recreating its directory). Replaced whole like the state, but not flushed
   * to disk: it is a copy, written again with the next save, and the state it copies is flushed.
   * (Flushing both cost each save about twice its time, four saves an iteration.)
   */
  async project(state: HarnessState): Promise<void> {
    if (this.places.stateProjection === this.places.stateFile) return;
    try {
      writeFileAtomicSync(this.places.stateProjection, `${JSON.stringify(state, null, 2)}\n`, {
        createDirectory: true,
      });
    } catch (error) {
      this.onProjectionError(error);
    }
  }
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
