/** Progress events the RPC transport reports while a turn runs (for the console and the journal). */

import type { RetryWait, Role, TokenUsage, TurnResult } from '../types.js';

export type TransportEvent =
  | { type: 'turn_start'; role: Role; model?: string; sessionId?: string; resumed: boolean }
  | { type: 'tool_start'; role: Role; id: string; name: string; path?: string; args: Record<string, unknown> }
  | { type: 'tool_end'; role: Role; id: string; name: string; isError: boolean; durationMs: number; error?: string }
  | { type: 'soft_continue'; role: Role; silentSeconds: number; count: number }
  | { type: 'retry_wait'; role: Role; wait: RetryWait }
  /** One model request finished; `usage` is that request, `total` the turn so far. */
  | { type: 'usage'; role: Role; usage: TokenUsage; total: TokenUsage; modelRequests: number }
  | { type: 'turn_end'; role: Role; result: TurnResult };

export type TransportEventListener = (event: TransportEvent) => void;
