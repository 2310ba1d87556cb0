/** The words of one agent turn: how it ended, why, and what it cost. */

export type TurnStatus = 'success' | 'failed' | 'stalled' | 'timed_out';

/** Why a turn ended. One value per distinct cause so reports and decisions never parse prose. */
export type TerminalReason =
  | 'completed' // the agent settled on its own
  | 'no_event_timeout' // silence past noEventTimeoutSeconds (or the tool variant)
  | 'agent_timeout' // agentTimeoutSeconds wall-clock cap
  | 'tool_loop' // the same tool call loopRepeatThreshold times in a row
  | 'path_loop' // the same path samePathRepeatThreshold times in a row
  | 'provider_auth' // 401/403 from the model endpoint
  | 'provider_error' // the model endpoint kept failing after retries
  | 'agent_error' // pi reported an error for the turn
  | 'process_exit' // the pi process exited before the turn settled
  | 'protocol_error' // pi sent something we could not understand / refused a command
  | 'aborted'; // the caller aborted (SIGINT/SIGTERM)

export type ThinkingLevel = 'off' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Cost in USD as reported by pi's model pricing (0 when unknown). */
  cost: number;
}

export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    cost: a.cost + b.cost,
  };
}

/** Adds `b` into `a` in place (folds over thousands of turns make no copies). */
export function addUsageInto(a: TokenUsage, b: TokenUsage): TokenUsage {
  a.input += b.input;
  a.output += b.output;
  a.cacheRead += b.cacheRead;
  a.cacheWrite += b.cacheWrite;
  a.cost += b.cost;
  return a;
}
