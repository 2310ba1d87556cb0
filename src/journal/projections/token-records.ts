/**
 * One token-usage record per agent turn, built from the journal: the turn_end's usage, with the
 * task phase of its iteration, the model that answered (else the one its turn_start asked for) and
 * the turn's tool calls (paths made repo-relative), so the summary can break tokens down by role,
 * phase, model, tool and file.
 */
import type { Role } from '../../vocabulary/roles.js';
import type { TokenUsage, TurnStatus } from '../../vocabulary/turns.js';
import type { ReadEventOf } from '../decode.js';
import type { JournalFold } from '../fold/fold.js';
import { repoRelative } from '../fold/tallies.js';

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

/** The record of the turn a turn_end just ended (the fold has applied it). */
export function tokenRecordOf(
  event: ReadEventOf<'turn_end'>,
  fold: JournalFold,
  repoRoot: string,
): TokenTurnRecord | undefined {
  const turn = fold.lastTurn;
  if (!turn || event.role === undefined || event.iteration === undefined) return undefined;
  const task = fold.iteration(event.iteration)?.task ?? null;
  const root = fold.run.repoRoot ?? repoRoot;
  return {
    runId: event.runId,
    seq: event.seq,
    at: event.at,
    iteration: event.iteration,
    role: event.role,
    phase: task?.phase ?? null,
    taskId: task?.id || null,
    model: turn.facts.model,
    status: event.status ?? 'failed',
    modelRequests: turn.facts.modelRequests,
    durationMs: turn.facts.durationMs,
    usage: turn.facts.usage,
    tools: (event.tools ?? []).map((call) =>
      call.path ? { name: call.name, path: repoRelative(root, call.path) } : { name: call.name },
    ),
  };
}
