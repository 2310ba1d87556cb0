/**
 * How the git commands an agent runs are told apart from everyone else's afterwards: pi's
 * environment sets `GIT_REFLOG_ACTION` to this, and git then writes it at the start of the
 * reflog message of every commit, reset, checkout or merge the agent makes. Crash recovery reads
 * it to know whether a commit on the branch was the crashed iteration's (an agent's, never
 * accepted) or the user's, made after the crash (docs/iteration.md).
 */
export const AGENT_REFLOG_VARIABLE = 'GIT_REFLOG_ACTION';

export function agentReflogAction(runId: string): string {
  return `pi-harness agent ${runId}`;
}
