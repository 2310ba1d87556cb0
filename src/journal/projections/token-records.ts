/**
 * One token-usage record per agent turn, built from the journal: the turn_end's usage, with the
 * task phase of its iteration, the model that answered and the turn's tool calls (paths made
 * repo-relative), so the summary can break tokens down by role, phase, model, tool and file.
 */
import path from 'node:path';
import type { Role } from '../../vocabulary/roles.js';
import type { TokenUsage, TurnStatus } from '../../vocabulary/turns.js';
import type { JournalEvent } from '../events.js';

export interface TokenToolCall {
  name: string;
  path?: string;
}

export interface TokenTurnRecord {
  runId: string;
  /** The turn_end event's sequence number in its run's journal. */
  seq: number;
  at: string;
  iteration: number;
  role: Role;
  /** The task phase (its heading in the task file), null when the task has none. */
  phase: string | null;
  taskId: string | null;
  model: string | null;
  status: TurnStatus;
  modelRequests: number;
  durationMs: number;
  usage: TokenUsage;
  tools: TokenToolCall[];
}

export interface TokenFoldState {
  repoRoot: string;
  phase: string | null;
  taskId: string | null;
  /** The model the last turn_start asked for, used when the turn_end does not name one. */
  requestedModel: string | null;
}

export function initialTokenFold(repoRoot: string): TokenFoldState {
  return { repoRoot, phase: null, taskId: null, requestedModel: null };
}

export function tokenRecordKey(record: { runId?: unknown; seq?: unknown }): string {
  return `${String(record.runId)}#${String(record.seq)}`;
}

export function jsonlTokenKey(line: string): string | undefined {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    return record.runId === undefined ? undefined : tokenRecordKey(record);
  } catch {
    return undefined;
  }
}

function repoRelative(repoRoot: string, file: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(repoRoot, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

export function foldTokenTurn(
  state: TokenFoldState,
  event: JournalEvent,
): { state: TokenFoldState; record?: TokenTurnRecord } {
  switch (event.type) {
    case 'run_start':
      return { state: { ...state, repoRoot: event.repoRoot } };
    case 'iteration_start':
      return { state: { ...state, phase: event.task.phase, taskId: event.task.id } };
    case 'turn_start':
      return { state: { ...state, requestedModel: event.model ?? null } };
    case 'turn_end': {
      const record: TokenTurnRecord = {
        runId: event.runId,
        seq: event.seq,
        at: event.at,
        iteration: event.iteration,
        role: event.role,
        phase: state.phase,
        taskId: state.taskId,
        model: event.model ?? state.requestedModel,
        status: event.status,
        modelRequests: event.modelRequests,
        durationMs: event.durationMs,
        usage: event.usage,
        tools: (event.tools ?? []).map((call) =>
          call.path ? { name: call.name, path: repoRelative(state.repoRoot, call.path) } : { name: call.name },
        ),
      };
      return { state, record };
    }
    default:
      return { state };
  }
}
