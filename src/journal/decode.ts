/**
 * The one decoder of journal lines. A journal may come from an older or a newer harness, or end in
 * a line a crash cut short, so decoding is tolerant: a line that is not a JSON object with a
 * string `type` is malformed (counted, skipped); a type this harness does not know is ignored; a
 * known type keeps the fields it knows that have the right shape (a mistyped one is dropped or
 * mended; one it does not know is left alone, and no reader's type has it). Every reader
 * (the fold, the projections, `report`) works on what comes out of here and never parses again.
 */
import { isObject } from '../util/json.js';
import { CONTROL_ACTIONS, CONTROL_RESULTS, CONTROL_SOURCES, PARK_CAUSES } from '../vocabulary/control.js';
import { GUARDRAIL_RULES, RESTORE_KINDS, RESTORE_MOMENTS } from '../vocabulary/guardrails.js';
import { INTEGRITY_MODES, INTEGRITY_RULES } from '../vocabulary/integrity.js';
import { RECORDED_STATUSES } from '../vocabulary/iterations.js';
import { ROLES } from '../vocabulary/roles.js';
import { VISUAL_VERDICTS } from '../vocabulary/verdicts.js';
import {
  MERGE_OUTCOMES,
  MERGE_VERIFICATIONS,
  type BaselineCounts,
  type BodyOf,
  type Envelope,
  type JournalEventBody,
  type LegacyEventBody,
  type TaskListEntry,
} from './events.js';

type AnyBody = JournalEventBody | LegacyEventBody;
export type DecodableType = AnyBody['type'];

/** An event as read back: its type, its envelope, and whichever of its fields were readable. */
export type ReadEvent = {
  [T in DecodableType]: { type: T } & { [K in Exclude<keyof BodyOf<T>, 'type'>]?: BodyOf<T>[K] };
}[DecodableType] &
  Envelope;

/** A read event of one type. */
export type ReadEventOf<T extends DecodableType> = Extract<ReadEvent, { type: T }>;

/**
 * Reads one field: its value when it has the expected shape, else undefined (the field is dropped).
 * A well-formed value comes back as it is (no copy): the decoder runs over every line of long
 * journals. A part that is not, is mended (a mistyped counter reads 0, a bad list item is dropped).
 */
type Reader<T> = (value: unknown) => T | undefined;

type Fields<B> = { [K in Exclude<keyof B, 'type'>]-?: Reader<Exclude<B[K], undefined>> };

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const str: Reader<string> = (value) => (typeof value === 'string' ? value : undefined);
const num: Reader<number> = (value) => (isNumber(value) ? value : undefined);
const bool: Reader<boolean> = (value) => (typeof value === 'boolean' ? value : undefined);
const strOrNull: Reader<string | null> = (value) => (value === null ? null : str(value));
const numOrNull: Reader<number | null> = (value) => (value === null ? null : num(value));

function oneOf<const T extends string>(values: readonly T[]): Reader<T> {
  const known: ReadonlySet<string> = new Set(values);
  return (value) => (typeof value === 'string' && known.has(value) ? (value as T) : undefined);
}

function listOf<T>(item: Reader<T>): Reader<T[]> {
  return (value) => {
    if (!Array.isArray(value)) return undefined;
    let same = true;
    const items: T[] = [];
    for (const entry of value) {
      const read = item(entry);
      if (read !== entry) same = false;
      if (read !== undefined) items.push(read);
    }
    return same ? (value as T[]) : items;
  };
}

const strings: Reader<string[]> = listOf(str);

/** An object whose listed keys are all numbers; a missing or mistyped one reads as 0. */
function counters<const K extends string>(keys: readonly K[]): Reader<Record<K, number>> {
  return (value) => {
    if (!isObject(value)) return undefined;
    if (keys.every((key) => isNumber(value[key]))) return value as Record<K, number>;
    return Object.fromEntries(keys.map((key) => [key, num(value[key]) ?? 0])) as Record<K, number>;
  };
}

/** Token usage: every counter a number, a missing or mistyped one read as 0. */
const usage = counters(['input', 'output', 'cacheRead', 'cacheWrite', 'cost'] as const);

const budgets = counters(['maxRunSeconds', 'maxRunTokens', 'maxTaskTokens', 'maxRunCostUsd'] as const);

/** A task reference needs its text; the other parts read as unknown when missing. */
const task: Reader<{ id: string; text: string; phase: string | null; line: number }> = (value) => {
  if (!isObject(value) || typeof value.text !== 'string') return undefined;
  const { id, text, phase, line } = value;
  if (typeof id === 'string' && (phase === null || typeof phase === 'string') && isNumber(line))
    return value as { id: string; text: string; phase: string | null; line: number };
  return { id: str(id) ?? '', text, phase: strOrNull(phase) ?? null, line: num(line) ?? 0 };
};

const largeFile: Reader<{ path: string; lines: number }> = (value) =>
  isObject(value) && typeof value.path === 'string' && isNumber(value.lines)
    ? (value as { path: string; lines: number })
    : undefined;

const toolRef: Reader<{ name: string; path?: string }> = (value) => {
  if (!isObject(value) || typeof value.name !== 'string') return undefined;
  if (value.path === undefined || typeof value.path === 'string') return value as { name: string; path?: string };
  return { name: value.name };
};

/** Baseline counts need their runner and numbers; the rest read as their neutral values. */
const baselineCounts: Reader<BaselineCounts> = (value) => {
  if (!isObject(value) || typeof value.runner !== 'string') return undefined;
  const numbers = counters(['run', 'passed', 'failed', 'skipped', 'todo'] as const)(value)!;
  const unit = value.unit === 'package' ? 'package' : 'test';
  const complete = value.complete !== false;
  if (numbers === value && unit === value.unit && complete === value.complete)
    return value as unknown as BaselineCounts;
  return { runner: value.runner, ...numbers, unit, complete };
};

const role = oneOf(ROLES);
const turnStatus = oneOf(['success', 'failed', 'stalled', 'timed_out'] as const);
const terminalReason = oneOf([
  'completed',
  'no_event_timeout',
  'agent_timeout',
  'tool_loop',
  'path_loop',
  'provider_auth',
  'provider_error',
  'agent_error',
  'process_exit',
  'protocol_error',
  'aborted',
] as const);
const commandOutcome = oneOf(['passed', 'failed', 'timed_out', 'skipped', 'aborted'] as const);
const verifyAfter = oneOf(['developer', 'fix', 'tester'] as const);
const iterationStatus = oneOf(['succeeded', 'failed', 'stalled', 'blocked', 'skipped'] as const);
const recordedStatus = oneOf(RECORDED_STATUSES);
const endReason = oneOf([
  'committed',
  'developer_stalled',
  'developer_failed',
  'developer_no_change',
  'verification_failed',
  'tester_failed_twice',
  'tester_blocked',
  'tester_no_verdict',
  'tester_turn_failed',
  'commit_failed',
  'commit_hook_failed',
  'provider_auth',
  'mock_no_change',
  'interrupted',
  'operator_skip',
  'visual_failed',
  'visual_blocked',
  'integrity',
] as const);

/** A task-list entry needs its id and text; the rest reads as unknown (not done, not parked) when missing. */
const taskEntry: Reader<TaskListEntry> = (value) => {
  if (!isObject(value) || typeof value.id !== 'string' || typeof value.text !== 'string') return undefined;
  const { phase, line, done, parked } = value;
  const wellFormed =
    (phase === null || typeof phase === 'string') &&
    isNumber(line) &&
    typeof done === 'boolean' &&
    typeof parked === 'boolean';
  if (wellFormed) return value as unknown as TaskListEntry;
  return {
    id: value.id,
    text: value.text,
    phase: strOrNull(phase) ?? null,
    line: num(line) ?? 0,
    done: done === true,
    parked: parked === true,
  };
};

/** The fields of every type this harness knows. Adding a field to an event without a reader here does not compile. */
const FIELDS: { [T in DecodableType]: Fields<BodyOf<T>> } = {
  run_start: {
    command: oneOf(['once', 'run'] as const),
    pid: num,
    repoRoot: str,
    transport: str,
    version: str,
    budgets,
  },
  run_end: {
    exitCode: num,
    reason: str,
    iterations: num,
    succeeded: num,
    result: oneOf(['succeeded', 'failed', 'interrupted'] as const),
    stop: oneOf([
      'all_done',
      'all_parked',
      'once_done',
      'max_iterations',
      'budget',
      'breaker',
      'provider_auth',
      'setup_failed',
      'signal',
    ] as const),
  },
  iteration_start: { iteration: num, task, startCommit: strOrNull, preDirty: strings, startBranch: strOrNull },
  turn_start: {
    iteration: num,
    role,
    step: str,
    retry: oneOf(['timed_out', 'stalled', 'no_change'] as const),
    promptBytes: num,
    model: str,
    prompt: str,
    images: num,
    contextWindow: num,
  },
  turn_usage: { iteration: num, role, usage, modelRequests: num },
  tool_start: { iteration: num, role, name: str, path: str, command: str },
  heartbeat: { iteration: num, role, elapsedMs: num },
  soft_continue: { iteration: num, role, silentSeconds: num },
  turn_end: {
    iteration: num,
    role,
    status: turnStatus,
    terminalReason,
    detail: str,
    usage,
    modelRequests: num,
    toolCalls: num,
    toolErrors: num,
    durationMs: num,
    changedFiles: strings,
    sessionId: str,
    model: str,
    finalText: str,
    sessionFile: str,
    tools: listOf(toolRef),
  },
  tool: {
    iteration: num,
    role,
    name: str,
    path: str,
    durationMs: num,
    isError: bool,
    error: str,
    command: str,
  },
  verification_start: { iteration: num, after: verifyAfter, command: str },
  verification: {
    iteration: num,
    after: verifyAfter,
    outcome: commandOutcome,
    exitCode: numOrNull,
    durationMs: num,
    command: str,
    outputTail: str,
    output: str,
  },
  verdict: {
    iteration: num,
    verdict: oneOf(['PASS', 'FAIL', 'BLOCKED', 'UNKNOWN'] as const),
    recheck: bool,
    findings: str,
  },
  integrity_baseline: {
    iteration: num,
    commit: strOrNull,
    testFiles: num,
    counts: baselineCounts,
    source: oneOf(['verification', 'run_start', 'none'] as const),
    verification: (value) => {
      if (!isObject(value)) return undefined;
      const outcome = commandOutcome(value.outcome);
      if (outcome === undefined) return undefined;
      return {
        outcome,
        exitCode: numOrNull(value.exitCode) ?? null,
        durationMs: num(value.durationMs) ?? 0,
        command: str(value.command) ?? '',
      };
    },
  },
  integrity_baseline_start: { iteration: num, command: str },
  integrity_finding: {
    iteration: num,
    check: num,
    mode: oneOf(INTEGRITY_MODES),
    rule: oneOf(INTEGRITY_RULES),
    path: str,
    detail: str,
  },
  integrity_check: { iteration: num, check: num, mode: oneOf(INTEGRITY_MODES), findings: num },
  commit: {
    iteration: num,
    commit: str,
    by: oneOf(['agent', 'harness'] as const),
    files: strings,
    message: str,
    tickedByHarness: bool,
  },
  rescue: { iteration: num, ref: str, commit: str, patchFile: str, files: strings },
  iteration_end: {
    iteration: num,
    task,
    status: iterationStatus,
    reason: endReason,
    durationMs: num,
    usage,
    commit: str,
    recorded: recordedStatus,
    changedFiles: strings,
    notes: strings,
    largeFiles: listOf(largeFile),
    needsRescue: bool,
  },
  budget: {
    kind: oneOf(['run_seconds', 'run_tokens', 'run_cost', 'task_tokens'] as const),
    limit: num,
    used: num,
    action: oneOf(['stop_run', 'park_task'] as const),
    message: str,
    taskId: str,
  },
  breaker: { consecutiveFailures: num, limit: num },
  provider_wait: { iteration: num, role, attempt: num, status: num, waitMs: num, message: str },
  visual_start: { iteration: num, pendingFeedback: bool },
  visual_capture: {
    iteration: num,
    command: str,
    outcome: commandOutcome,
    exitCode: numOrNull,
    durationMs: num,
    screens: num,
    problem: str,
    problems: strings,
    outputTail: str,
  },
  visual_review: {
    iteration: num,
    verdict: oneOf(VISUAL_VERDICTS),
    problems: strings,
    pendingFeedback: bool,
    fromModel: bool,
    summary: str,
    findings: strings,
    images: strings,
    omittedImages: num,
    model: str,
    error: str,
    vetoed: bool,
    historyFile: str,
    feedbackFile: str,
    durationMs: num,
  },
  guardrail_block: {
    iteration: num,
    role,
    rule: oneOf(GUARDRAIL_RULES),
    action: oneOf(['blocked', 'warned'] as const),
    tool: str,
    command: str,
    path: str,
    subject: str,
    reason: str,
    contextProblem: str,
  },
  guardrail_restore: {
    iteration: num,
    moment: oneOf(RESTORE_MOMENTS),
    kind: oneOf(RESTORE_KINDS),
    target: str,
    detail: str,
    applied: bool,
  },
  warning: { iteration: num, message: str },
  lock_recovered: { reason: str, movedTo: str },
  crash_recovery: {
    iteration: num,
    crashedRunId: str,
    taskText: str,
    recorded: recordedStatus,
    commit: str,
    keptHead: str,
    source: oneOf(['state', 'journal'] as const),
    notes: strings,
  },
  error: { iteration: num, message: str },
  control_received: {
    id: str,
    action: oneOf(CONTROL_ACTIONS),
    source: oneOf(CONTROL_SOURCES),
    task: str,
    text: str,
    detail: str,
  },
  control_applied: {
    id: str,
    action: oneOf(CONTROL_ACTIONS),
    result: oneOf(CONTROL_RESULTS),
    detail: str,
    taskId: str,
  },
  task_list: { tasks: listOf(taskEntry) },
  task_parked: { taskId: str, cause: oneOf(PARK_CAUSES), reason: str },
  task_unparked: { taskId: str },
  large_files: { iteration: num, files: listOf(largeFile) },
  large_file: { iteration: num, path: str, lines: num },
  worker_start: { worker: str, iteration: num, task, baseCommit: str, branch: str, worktree: str },
  merge: {
    worker: str,
    iteration: num,
    task,
    outcome: oneOf(MERGE_OUTCOMES),
    from: str,
    onto: str,
    commit: str,
    detail: str,
    verification: oneOf(MERGE_VERIFICATIONS),
  },
  worktree_removed: { worker: str, worktree: str, head: str, keptIn: str },
  worktree_prepared: { worker: str, worktree: str, copied: strings, files: num, skipped: strings, commandMs: num },
  worktree_moved: { worker: str, worktree: str, head: str, keptIn: str, from: str, to: str },
};

export type Decoded =
  | { kind: 'event'; event: ReadEvent }
  /** A JSON object with a `type` this harness does not know (a newer harness wrote it). */
  | { kind: 'unknown' }
  /** Not a JSON object with a string `type`: a line a crash cut short, or damage. */
  | { kind: 'malformed' };

/** Where a line sits, for events whose envelope is incomplete. */
export interface LineContext {
  /** The run the journal belongs to (its directory name). */
  runId?: string;
  /** The line's position among the journal's events (1, 2, …): the `seq` of an event that lacks one. */
  position: number;
}

export function decodeValue(value: unknown, context: LineContext): Decoded {
  if (!isObject(value) || typeof value.type !== 'string') return { kind: 'malformed' };
  const fields = (FIELDS as Record<string, Record<string, Reader<unknown>>>)[value.type];
  if (!fields) return { kind: 'unknown' };
  // Mended in place: a well-formed event (the usual case) is returned as parsed, without a copy.
  if (typeof value.v !== 'number') value.v = 1;
  if (typeof value.runId !== 'string') value.runId = context.runId ?? '';
  if (typeof value.at !== 'string') value.at = '';
  if (!isNumber(value.seq)) value.seq = context.position;
  if (value.worker !== undefined && typeof value.worker !== 'string') delete value.worker;
  for (const key in fields) {
    const present = value[key];
    if (present === undefined) continue;
    const read = fields[key]!(present);
    if (read === undefined) delete value[key];
    else if (read !== present) value[key] = read;
  }
  return { kind: 'event', event: value as unknown as ReadEvent };
}

export function decodeLine(line: string, context: LineContext): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'malformed' };
  }
  return decodeValue(value, context);
}
