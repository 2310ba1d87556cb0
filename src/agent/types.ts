/**
 * The contract between the iteration loop and whatever runs agent turns (real pi over RPC, or the
 * offline mock). Everything the loop decides on is typed here; raw pi events never leave the
 * transport. The shared words (roles, statuses, usage) live in src/vocabulary and are re-exported
 * here for the transports.
 */
import type { Role } from '../vocabulary/roles.js';
import {
  emptyUsage,
  type TerminalReason,
  type ThinkingLevel,
  type TokenUsage,
  type TurnStatus,
} from '../vocabulary/turns.js';

export { ROLES } from '../vocabulary/roles.js';
export type { Role } from '../vocabulary/roles.js';
export { addUsage, emptyUsage } from '../vocabulary/turns.js';
export type { TerminalReason, ThinkingLevel, TokenUsage, TurnStatus } from '../vocabulary/turns.js';

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
  /** The tools the turn may use. */
  tools: readonly string[];
  /**
   * The tools whose schemas the model is sent, in this order (transports with per-turn loadouts);
   * default: `tools`. A call to an offered tool outside `tools` is refused with a reason.
   */
  offeredTools?: readonly string[];
  /**
   * Replaces pi's own system prompt for the turn (transports with per-turn loadouts); undefined:
   * pi's own.
   */
  systemPrompt?: string;
  thinking?: ThinkingLevel;
  session: SessionChoice;
  /** Working directory of the agent (the repo root). */
  cwd: string;
  /** Base64 images attached to the prompt (visual review). */
  images?: readonly { mimeType: string; data: string }[];
}

/** What an agent process is started with for a turn: turns that agree on these may share one. */
export type TurnLaunch = Pick<TurnRequest, 'model' | 'tools' | 'thinking' | 'cwd'>;

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

/** What became of guidance sent into a turn in flight (`pi-harness steer`). */
export type SteerOutcome =
  /** pi put the guidance into the conversation (after the tool call that was running); `at`: epoch ms. */
  { kind: 'delivered'; at: number; role: Role } | { kind: 'not_delivered'; why: string };

export interface Transport {
  runTurn(request: TurnRequest, signal?: AbortSignal): Promise<TurnResult>;
  /**
   * Sends guidance into the turn in flight; settles when pi delivered it to the model (or could
   * not). Transports without a live agent (mock) leave it out.
   */
  steer?(text: string): Promise<SteerOutcome>;
  /** Ends every child process this transport started. Safe to call twice. */
  close(): Promise<void>;
  /** Ends idle sessions' processes but keeps the transport usable (between iterations). */
  releaseSessions?(): Promise<void>;
  /**
   * Starts, in the background, the agent process a turn with these launch settings will need, so
   * that turn does not wait for it to start. Nothing happens when one is running or starting.
   * Transports whose agent starts at once (mock) leave it out.
   */
  prewarm?(launch: TurnLaunch): void;
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
