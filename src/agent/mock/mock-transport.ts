/**
 * Offline transport: no model, no process. Every turn "succeeds" without touching the repository,
 * so the loop can be exercised end to end (it then ends the iteration as skipped).
 */

import { turnWithoutWork, type Transport, type TurnRequest, type TurnResult } from '../types.js';

export function createMockTransport(): Transport {
  let counter = 0;
  const sessions = new Set<string>();
  return {
    async runTurn(request: TurnRequest, signal?: AbortSignal): Promise<TurnResult> {
      const startedAt = Date.now();
      let sessionId: string;
      if (request.session.kind === 'continue') sessionId = request.session.sessionId;
      else sessionId = `mock-session-${++counter}`;
      sessions.add(sessionId);
      const aborted = signal?.aborted === true;
      return turnWithoutWork(request, {
        status: aborted ? 'failed' : 'success',
        terminalReason: aborted ? 'aborted' : 'completed',
        ...(aborted ? { detail: 'the turn was aborted before it started' } : {}),
        sessionId,
        durationMs: Date.now() - startedAt,
      });
    },
    async close(): Promise<void> {
      sessions.clear();
    },
  };
}
