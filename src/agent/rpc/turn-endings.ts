/**
 * How a turn ends: the status, reason and detail of each ending the turn runner can decide on, and
 * stopping the agent afterwards. Pure wording, except stopAgent.
 */

import type { TerminalReason, TurnStatus } from '../types.js';
import { isContextOverflowError, lengthDetail, type ModelLimits, overflowDetail } from './context-limits.js';
import type { PiExit, PiProcess } from './process.js';
import { redactSecrets } from './provider-errors.js';
import type { TurnAccumulator } from './turn-accumulator.js';
import type { LoopVerdict, WatchdogDecision, WatchdogThresholds } from './watchdog.js';

/** An end of the turn, and whether the agent must be stopped ('abort') or its process killed too. */
export interface Ending {
  status: TurnStatus;
  reason: TerminalReason;
  detail?: string;
  stop: 'none' | 'abort' | 'kill';
}

/**
 * What a settled agent means, judged by its last model response. Retryable provider errors never
 * get here: OuterRetry either retried them or ended the turn as provider_error.
 */
export function settledEnding(acc: TurnAccumulator, model: string, limits: ModelLimits): Ending {
  const last = acc.lastAssistant;
  if (last?.stopReason !== 'error') {
    if (last?.stopReason === 'aborted')
      return { status: 'failed', reason: 'agent_error', stop: 'none', detail: 'pi aborted the model response' };
    // pi settles after a truncated answer it could not compact-and-retry: the work is unfinished.
    if (last?.stopReason === 'length')
      return {
        status: 'failed',
        reason: 'agent_error',
        stop: 'none',
        detail: lengthDetail(model, limits, acc.compactionError),
      };
    return { status: 'success', reason: 'completed', stop: 'none' };
  }
  if (isContextOverflowError(last.errorMessage)) {
    return {
      status: 'failed',
      reason: 'agent_error',
      stop: 'none',
      detail: overflowDetail(model, limits, last, acc.compactionError),
    };
  }
  return {
    status: 'failed',
    reason: 'agent_error',
    stop: 'none',
    detail: `model request failed: ${redactSecrets(last.errorMessage ?? 'unknown error')}`,
  };
}

/** The model refused the credentials: they do not fix themselves, so the turn ends at once. */
export function authEnding(modelDescription: string, status: number | undefined, message: string | undefined): Ending {
  const http = status ? ` with HTTP ${status}` : '';
  const excerpt = redactSecrets(message ?? '').slice(0, 300);
  return {
    status: 'failed',
    reason: 'provider_auth',
    stop: 'abort',
    detail: `model ${modelDescription} rejected the request${http} (check its API key / permissions): ${excerpt}`,
  };
}

/** A tool loop ends the turn; a looping pi is not trusted again, so its process goes too. */
export function loopEnding(verdict: LoopVerdict): Ending | undefined {
  if (verdict.kind === 'tool_loop') {
    return {
      status: 'stalled',
      reason: 'tool_loop',
      stop: 'kill',
      detail: `${verdict.name} called ${verdict.count} times in a row with identical arguments`,
    };
  }
  if (verdict.kind === 'path_loop') {
    return {
      status: 'stalled',
      reason: 'path_loop',
      stop: 'kill',
      detail: `${verdict.count} tool calls in a row on ${verdict.path}`,
    };
  }
  return undefined;
}

/** What the watchdog looked at when it decided to end the turn. */
export interface WatchdogScene {
  thresholds: WatchdogThresholds;
  silentSeconds: number;
  /** The tools (and a running compaction) pi was busy with. */
  running: readonly string[];
}

/** The ending for a watchdog decision that ends the turn; undefined for 'wait' and 'soft_continue'. */
export function watchdogEnding(decision: WatchdogDecision, scene: WatchdogScene): Ending | undefined {
  const t = scene.thresholds;
  if (decision === 'abort_agent_timeout') {
    return {
      status: 'timed_out',
      reason: 'agent_timeout',
      stop: 'kill',
      detail: `turn exceeded agentTimeoutSeconds=${t.agentTimeoutSeconds}`,
    };
  }
  if (decision === 'abort_no_event') {
    const busy = scene.running.length > 0;
    const limit = busy ? t.toolNoEventTimeoutSeconds : t.noEventTimeoutSeconds;
    const during = busy ? ` while ${scene.running.join(', ')} ran` : '';
    return {
      status: 'stalled',
      reason: 'no_event_timeout',
      stop: 'kill',
      detail: `no agent activity for ${scene.silentSeconds}s${during} (limit ${limit}s)`,
    };
  }
  return undefined;
}

/** pi went away before the turn settled; the tail of its stderr says why, when it said anything. */
export function processExitEnding(exit: PiExit, stderr: string): Ending {
  const tail = redactSecrets(stderr.trim().split('\n').slice(-5).join('\n'));
  const how = `code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'}`;
  return {
    status: 'failed',
    reason: 'process_exit',
    stop: 'none',
    detail: `pi exited (${how}) before the turn settled${tail ? `: ${tail}` : ''}`,
  };
}

/**
 * 'abort': ask pi to stop and wait briefly for it to settle (keeps the process and session usable).
 * 'kill': the same, then kill the group regardless — a stalled or looping pi is not trusted again.
 * Returns whether the process is gone.
 */
export async function stopAgent(
  proc: PiProcess,
  stop: Ending['stop'],
  settleMs: number,
  acc: TurnAccumulator,
): Promise<boolean> {
  if (proc.exited) return true;
  if (stop === 'none') return false;
  // pi answers `abort` only once the session is idle again, so a success response means settled.
  const response = acc.settled ? undefined : await proc.request({ type: 'abort' }, settleMs).catch(() => undefined);
  const settled = acc.settled || response?.success === true;
  if (stop === 'abort' && settled && !proc.exited) return false;
  await proc.kill();
  return true;
}
