/**
 * Pure decision logic for keeping an unattended turn alive and bounded. No timers, no I/O: the
 * transport samples the clock and asks; tests can enumerate every case.
 */

export interface WatchdogThresholds {
  /** Silence (no model/tool activity) after which a soft "continue" nudge is sent. 0 disables. */
  continueAfterSeconds: number;
  /** Same, while a tool is executing (builds and test suites are legitimately quiet). 0 disables. */
  toolContinueAfterSeconds: number;
  /** Silence after which the turn is aborted as stalled. 0 disables. */
  noEventTimeoutSeconds: number;
  /** Same, while a tool is executing. 0 disables. */
  toolNoEventTimeoutSeconds: number;
  /** Wall-clock cap for the whole turn. 0 disables. */
  agentTimeoutSeconds: number;
}

export interface WatchdogSample {
  secondsSinceLastEvent: number;
  toolRunning: boolean;
  secondsSinceTurnStart: number;
  /** A soft continue was already sent during the current silence (one nudge per silence). */
  softContinueSent: boolean;
}

export type WatchdogDecision = 'wait' | 'soft_continue' | 'abort_no_event' | 'abort_agent_timeout';

const exceeded = (limitSeconds: number, elapsedSeconds: number): boolean =>
  limitSeconds > 0 && elapsedSeconds >= limitSeconds;

/**
 * Precedence: the wall-clock cap wins over everything (it is the user's hard promise), then the
 * stall abort, then the nudge. The nudge is skipped once the abort threshold is reached so a turn
 * is never nudged and killed in the same tick.
 */
export function decideWatchdog(t: WatchdogThresholds, s: WatchdogSample): WatchdogDecision {
  if (exceeded(t.agentTimeoutSeconds, s.secondsSinceTurnStart)) return 'abort_agent_timeout';
  const noEventLimit = s.toolRunning ? t.toolNoEventTimeoutSeconds : t.noEventTimeoutSeconds;
  if (exceeded(noEventLimit, s.secondsSinceLastEvent)) return 'abort_no_event';
  const continueLimit = s.toolRunning ? t.toolContinueAfterSeconds : t.continueAfterSeconds;
  if (!s.softContinueSent && exceeded(continueLimit, s.secondsSinceLastEvent)) return 'soft_continue';
  return 'wait';
}

// ---------------------------------------------------------------------------------------------
// Loop detection

export interface LoopThresholds {
  /** Identical calls (same tool + same arguments) in a row that count as a loop. 0 disables. */
  loopRepeatThreshold: number;
  /** Calls in a row (any tool) on the same path that count as a loop. 0 disables. */
  samePathRepeatThreshold: number;
}

export interface ObservedToolCall {
  name: string;
  args: Record<string, unknown>;
  path?: string;
}

export type LoopVerdict =
  | { kind: 'none' }
  | { kind: 'tool_loop'; count: number; name: string }
  | { kind: 'path_loop'; count: number; path: string };

/** Argument keys that name the file or directory a tool call targets. */
const PATH_KEYS = ['path', 'file_path', 'filePath', 'file'] as const;

export function toolCallPath(args: Record<string, unknown>): string | undefined {
  for (const key of PATH_KEYS) {
    const value = args[key];
    if (typeof value === 'string' && value.trim() !== '') return normalizePath(value.trim());
  }
  return undefined;
}

/** `./a/b/` and `a/b` are the same target; keep it cheap (no filesystem access). */
function normalizePath(p: string): string {
  let out = p.replace(/\/{2,}/g, '/');
  while (out.startsWith('./')) out = out.slice(2);
  if (out.length > 1 && out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

/** Key-order independent serialisation so `{a,b}` and `{b,a}` compare equal. */
export function canonicalArgs(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalArgs).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalArgs(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Judges the most recent calls (oldest first). Only the trailing run matters: a loop is something
 * the agent is doing now, not something it did and then stopped.
 */
export function detectLoop(calls: readonly ObservedToolCall[], t: LoopThresholds): LoopVerdict {
  const last = calls[calls.length - 1];
  if (!last) return { kind: 'none' };

  if (t.loopRepeatThreshold > 0) {
    const key = `${last.name}\u0000${canonicalArgs(last.args)}`;
    let count = 0;
    for (let i = calls.length - 1; i >= 0; i--) {
      const c = calls[i]!;
      if (`${c.name}\u0000${canonicalArgs(c.args)}` !== key) break;
      count++;
    }
    if (count >= t.loopRepeatThreshold) return { kind: 'tool_loop', count, name: last.name };
  }

  if (t.samePathRepeatThreshold > 0 && last.path !== undefined) {
    let count = 0;
    for (let i = calls.length - 1; i >= 0; i--) {
      if (calls[i]!.path !== last.path) break;
      count++;
    }
    if (count >= t.samePathRepeatThreshold) return { kind: 'path_loop', count, path: last.path };
  }
  return { kind: 'none' };
}
