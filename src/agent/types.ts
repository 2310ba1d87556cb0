/**
 * The contract between the iteration loop and whatever runs agent turns (real pi over RPC, or the
 * offline mock). Everything the loop decides on is typed here; raw pi events never leave the
 * transport.
 */

export const ROLES = ['developer', 'developerRetry', 'developerFix', 'tester', 'testerCommit', 'visualReview'] as const;
export type Role = (typeof ROLES)[number];

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

export interface ToolCallRecord {
  id: string;
  name: string;
  /** The file path the call targets, when the tool has one (read/edit/write/ls/find). */
  path?: string;
  /** The arguments as sent by the model (kept for loop detection and reports). */
  args: Record<string, unknown>;
  startedAt: number;
  durationMs?: number;
  isError: boolean;
  /** A short excerpt of the error output, when isError. */
  error?: string;
}

/**
 * A wait imposed by a provider (429, 5xx, usage window / quota) that the turn sat through. Reported
 * (event + record) before the wait starts, so a run that dies mid-wait still shows why.
 */
export interface RetryWait {
  /** The n-th consecutive failed model call this wait follows. */
  attempt: number;
  status?: number;
  /** The wait actually scheduled (after caps). */
  waitMs: number;
  /** The provider's error, redacted and shortened. */
  message: string;
  /** Who waits: pi's own backoff (no private agent dir) or the transport. */
  by?: 'pi' | 'harness';
  /** `quota`: usage window / quota / budget; `transient`: throttling, overload, 5xx, network. */
  kind?: 'quota' | 'transient';
  /** `provider`: the wait the provider stated (retry-after, "try again in", reset time); `backoff`: computed. */
  basis?: 'provider' | 'backoff';
  /** The phrase the stated wait was read from, e.g. "try again in 20s". */
  stated?: string;
  /** The stated wait when the per-wait cap shortened it. */
  requestedMs?: number;
  /** Epoch ms when the wait began. */
  startedAt?: number;
}

export type SessionChoice = { kind: 'new' } | { kind: 'continue'; sessionId: string };

export interface TurnRequest {
  role: Role;
  prompt: string;
  /** `provider/id`; undefined lets pi use its own default. */
  model?: string;
  tools: readonly string[];
  thinking?: ThinkingLevel;
  session: SessionChoice;
  /** Working directory of the agent (the repo root). */
  cwd: string;
  /** Base64 images attached to the prompt (visual review). */
  images?: readonly { mimeType: string; data: string }[];
}

export interface TurnResult {
  role: Role;
  status: TurnStatus;
  terminalReason: TerminalReason;
  /** Human-readable detail for the terminal reason (never contains secrets). */
  detail?: string;
  finalText: string;
  toolCalls: ToolCallRecord[];
  toolErrors: number;
  usage: TokenUsage;
  /** Number of model requests (assistant messages) inside the turn. */
  modelRequests: number;
  retries: RetryWait[];
  softContinues: number;
  model?: string;
  sessionId?: string;
  sessionFile?: string;
  durationMs: number;
}

export interface Transport {
  runTurn(request: TurnRequest, signal?: AbortSignal): Promise<TurnResult>;
  /** Ends every child process this transport started. Safe to call twice. */
  close(): Promise<void>;
  /** Ends idle sessions' processes but keeps the transport usable (between iterations). */
  releaseSessions?(): Promise<void>;
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

/** A turn that did no model work: the mock's turns, and turns that could not start. */
export function turnWithoutWork(
  request: TurnRequest,
  outcome: {
    status: TurnStatus;
    terminalReason: TerminalReason;
    detail?: string;
    sessionId?: string;
    durationMs: number;
  },
): TurnResult {
  return {
    role: request.role,
    status: outcome.status,
    terminalReason: outcome.terminalReason,
    ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}),
    finalText: '',
    toolCalls: [],
    toolErrors: 0,
    usage: emptyUsage(),
    modelRequests: 0,
    retries: [],
    softContinues: 0,
    model: request.model,
    sessionId: outcome.sessionId ?? (request.session.kind === 'continue' ? request.session.sessionId : undefined),
    durationMs: outcome.durationMs,
  };
}
