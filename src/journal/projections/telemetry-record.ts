/**
 * One telemetry record per finished iteration. The JSONL record and the CSV row share one column
 * set, declared once here and documented in docs/telemetry.md: new columns are only ever added at
 * the end, so tools reading by name or by position keep working.
 */
import type { IterationFacts } from '../fold/facts.js';

export const TELEMETRY_COLUMNS = [
  'run_id',
  'iteration',
  'started_at',
  'ended_at',
  'task_id',
  'task_text',
  'task_phase',
  'status',
  'reason',
  'developer',
  'verification',
  'verdict',
  'commit',
  'duration_ms',
  'developer_ms',
  'developer_fix_ms',
  'tester_ms',
  'visual_review_ms',
  'verification_ms',
  'verification_runs',
  'turns',
  'model_requests',
  'tokens_input',
  'tokens_output',
  'tokens_cache_read',
  'tokens_cache_write',
  'cost_usd',
  'tool_calls',
  'tool_errors',
  'changed_files',
  'models',
] as const;

export type TelemetryColumn = (typeof TELEMETRY_COLUMNS)[number];
export type TelemetryRecord = Record<TelemetryColumn, string | number | null>;

const ms = (value: number | undefined) => value ?? 0;

/** The record of an iteration that has ended (its facts as the fold has them after iteration_end). */
export function telemetryRecord(facts: IterationFacts): TelemetryRecord {
  const role = facts.roleMs;
  return {
    run_id: facts.runId,
    iteration: facts.iteration,
    started_at: facts.startedAt,
    ended_at: facts.endedAt,
    task_id: facts.task?.id ?? null,
    task_text: facts.task?.text ?? null,
    task_phase: facts.task?.phase ?? null,
    // `interrupted` (a signal) is what state records, and what a reader needs to see.
    status: facts.status,
    reason: facts.reason,
    developer: facts.developer ?? 'not_run',
    verification: facts.verification,
    verdict: facts.verdict,
    commit: facts.commit?.sha ?? null,
    duration_ms: facts.durationMs,
    developer_ms: ms(role.developer) + ms(role.developerRetry),
    developer_fix_ms: ms(role.developerFix),
    tester_ms: ms(role.tester) + ms(role.testerCommit),
    visual_review_ms: ms(role.visualReview),
    verification_ms: facts.verificationMs,
    // A skipped verification (no testCommand) ran nothing: it is not a verification run.
    verification_runs: facts.verificationRuns,
    turns: facts.turns.length,
    model_requests: facts.modelRequests,
    // The iteration_end usage is the loop's own sum; the same numbers as the turns', by construction.
    tokens_input: facts.usage.input,
    tokens_output: facts.usage.output,
    tokens_cache_read: facts.usage.cacheRead,
    tokens_cache_write: facts.usage.cacheWrite,
    cost_usd: facts.usage.cost,
    tool_calls: facts.toolCalls,
    tool_errors: facts.toolErrors,
    changed_files: facts.changedFiles.length,
    models: facts.models.join(' ') || null,
  };
}

export function telemetryKey(record: { run_id?: unknown; iteration?: unknown }): string {
  return `${String(record.run_id)}#${String(record.iteration)}`;
}

export function jsonlTelemetryKey(line: string): string | undefined {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    return record.run_id === undefined ? undefined : telemetryKey(record);
  } catch {
    return undefined;
  }
}
