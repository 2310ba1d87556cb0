/**
 * The transport as the loop uses it when the guardrails are on: before every turn of every role
 * (developer, developerRetry, developerFix, tester, testerCommit, visualReview) the guard's context
 * is rewritten for that role, and after it the blocks it recorded are journaled. The transport's
 * listener journals them earlier still, as each tool call ends.
 */
import type { TransportEventListener } from '../../agent/rpc/transport-events.js';
import type { Transport } from '../../agent/types.js';
import type { RunGuard } from './run-guard.js';

export function guardedTransport(transport: Transport, guard: RunGuard): Transport {
  const releaseSessions = transport.releaseSessions?.bind(transport);
  // The operator's guidance goes into the turn in flight as it would unguarded (pi-harness steer).
  const steer = transport.steer?.bind(transport);
  // A process started ahead of its turn runs nothing until the turn, which goes through beforeTurn.
  const prewarm = transport.prewarm?.bind(transport);
  return {
    async runTurn(request, signal) {
      await guard.beforeTurn(request.role);
      try {
        return await transport.runTurn(request, signal);
      } finally {
        guard.drainBlocks();
      }
    },
    close: () => transport.close(),
    ...(releaseSessions ? { releaseSessions } : {}),
    ...(steer ? { steer } : {}),
    ...(prewarm ? { prewarm } : {}),
  };
}

/** The transport's progress listener, journaling the guard's blocks as each tool call ends. */
export function listenForBlocks(listener: TransportEventListener, guard: RunGuard): TransportEventListener {
  return (event) => {
    listener(event);
    if (event.type === 'tool_end') guard.drainBlocks();
  };
}
