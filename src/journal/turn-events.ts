/**
 * The journal record of a finished agent turn, built in one place for every role (the loop's
 * developer/tester turns and the visual review), so projections see the same fields from each.
 */
import type { TurnResult } from '../agent/types.js';
import type { Journal } from './writer.js';

const COMMAND_EXCERPT_CHARS = 200;

/** Appends `turn_end`, then one `tool` event per tool call of the turn. */
export function journalTurnEnd(journal: Journal, iteration: number, turn: TurnResult, changedFiles: string[]): void {
  journal.append({
    type: 'turn_end',
    iteration,
    role: turn.role,
    status: turn.status,
    terminalReason: turn.terminalReason,
    ...(turn.detail ? { detail: turn.detail } : {}),
    usage: turn.usage,
    modelRequests: turn.modelRequests,
    toolCalls: turn.toolCalls.length,
    toolErrors: turn.toolErrors,
    durationMs: turn.durationMs,
    changedFiles,
    ...(turn.sessionId ? { sessionId: turn.sessionId } : {}),
    // For the projections: last agent output, token attribution by tool and file, session redaction.
    ...(turn.model ? { model: turn.model } : {}),
    finalText: turn.finalText,
    ...(turn.sessionFile ? { sessionFile: turn.sessionFile } : {}),
    tools: turn.toolCalls.map((call) => (call.path ? { name: call.name, path: call.path } : { name: call.name })),
  });
  for (const call of turn.toolCalls) {
    const command =
      typeof call.args.command === 'string' ? call.args.command.slice(0, COMMAND_EXCERPT_CHARS) : undefined;
    journal.append({
      type: 'tool',
      iteration,
      role: turn.role,
      name: call.name,
      ...(call.path ? { path: call.path } : {}),
      durationMs: call.durationMs ?? 0,
      isError: call.isError,
      ...(call.error ? { error: call.error } : {}),
      ...(command ? { command } : {}),
    });
  }
}
