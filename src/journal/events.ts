/**
 * The run journal: one typed event per line, append-only, written BEFORE the state it describes
 * changes, so a crash leaves a readable record. Every other view (state snapshot, summaries,
 * report) is a projection of these events.
 */
import type { Role, TerminalReason, TokenUsage, TurnStatus } from '../agent/types.js';
import type { EndReason, IterationStatus, RetryReason } from '../loop/decide.js';
import type { Verdict } from '../loop/verdict.js';
import type { CommandOutcome } from '../verify/run-command.js';
import type { BudgetKind } from '../runtime/budget.js';

export const JOURNAL_SCHEMA_VERSION = 1;

export interface TaskRef {
  id: string;
  text: string;
  phase: string | null;
  line: number;
}

export type JournalEventBody =
  | { type: 'run_start'; command: 'once' | 'run'; pid: number; repoRoot: string; transport: string; version: string }
  | { type: 'run_end'; exitCode: number; reason: string; iterations: number; succeeded: number }
  | { type: 'iteration_start'; iteration: number; task: TaskRef; startCommit: string | null; preDirty: string[] }
  | { type: 'turn_start'; iteration: number; role: Role; step: string; retry?: RetryReason; promptBytes: number; model?: string }
  | {
      type: 'turn_end';
      iteration: number;
      role: Role;
      status: TurnStatus;
      terminalReason: TerminalReason;
      detail?: string;
      usage: TokenUsage;
      modelRequests: number;
      toolCalls: number;
      toolErrors: number;
      durationMs: number;
      changedFiles: string[];
      sessionId?: string;
    }
  | { type: 'tool'; iteration: number; role: Role; name: string; path?: string; durationMs: number; isError: boolean; error?: string }
  | { type: 'verification'; iteration: number; after: string; outcome: CommandOutcome; exitCode: number | null; durationMs: number; command: string; outputTail: string }
  | { type: 'verdict'; iteration: number; verdict: Verdict; recheck: boolean; findings: string }
  | { type: 'commit'; iteration: number; commit: string; by: 'agent' | 'harness'; files: string[]; message: string; tickedByHarness: boolean }
  | { type: 'rescue'; iteration: number; ref: string; commit: string; patchFile: string; files: string[] }
  | { type: 'iteration_end'; iteration: number; task: TaskRef; status: IterationStatus; reason: EndReason; durationMs: number; usage: TokenUsage; commit?: string }
  | { type: 'budget'; kind: BudgetKind; limit: number; used: number; action: 'stop_run' | 'park_task'; message: string; taskId?: string }
  | { type: 'breaker'; consecutiveFailures: number; limit: number }
  /** A provider refused (429/5xx/usage window); written before the wait so a crash mid-wait leaves the record. */
  | { type: 'provider_wait'; role: Role; attempt: number; status?: number; waitMs: number; message: string }
  | { type: 'error'; iteration?: number; message: string };

export type JournalEvent = JournalEventBody & { v: number; runId: string; at: string; seq: number };
export type JournalEventType = JournalEventBody['type'];
