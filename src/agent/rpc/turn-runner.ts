/**
 * Runs one prompt on a live pi process until it settles or a watchdog ends it. Ending is always
 * decided here, exactly once, with one TerminalReason.
 */

import { errorMessage } from '../../util/errors.js';
import type { RetryWait, TerminalReason, TurnRequest, TurnStatus } from '../types.js';
import { isAgentActivity, type PiEvent } from './events.js';
import { OuterRetry } from './outer-retry.js';
import type { PiProcess } from './process.js';
import { classifyProviderError, redactSecrets } from './provider-errors.js';
import { isContextOverflowError, lengthDetail, overflowDetail, type ModelLimits } from './context-limits.js';
import type { RetryPolicy } from './retry-policy.js';
import { TurnAccumulator } from './turn-accumulator.js';
import type { TransportEvent } from './transport-events.js';
import { decideWatchdog, detectLoop, type LoopThresholds, type WatchdogThresholds } from './watchdog.js';

export interface TurnRunnerConfig {
  watchdog: WatchdogThresholds;
  loops: LoopThresholds;
  softContinueMessage: string;
  /** How often the watchdog samples the clock. */
  tickMs: number;
  /** Time pi gets to settle after an RPC abort before the process group is killed. */
  abortSettleMs: number;
  emit: (event: TransportEvent) => void;
  /** Names the endpoint of a model in auth and provider errors. */
  describeModel: (model: string | undefined) => string;
  /** The declared contextWindow / maxTokens of a model, for size-limit endings. */
  modelLimits?: (model: string | undefined) => ModelLimits;
  /** Waits and retries after refused model calls (429, 5xx, usage windows). */
  retry: RetryPolicy;
  /** Sent to the same session once a provider wait is over. */
  providerRetryMessage: string;
}

export interface TurnOutcome {
  status: TurnStatus;
  terminalReason: TerminalReason;
  detail?: string;
  acc: TurnAccumulator;
  softContinues: number;
  /** The process was killed (or died); the session must be resumed in a new process. */
  processLost: boolean;
}

/** Ends that need the agent stopped, and whether the process must go too. */
type Ending = { status: TurnStatus; reason: TerminalReason; detail?: string; stop: 'none' | 'abort' | 'kill' };

const DIALOG_METHODS = new Set(['select', 'confirm', 'input', 'editor']);

export function runPiTurn(
  proc: PiProcess,
  request: TurnRequest,
  cfg: TurnRunnerConfig,
  signal?: AbortSignal,
): Promise<TurnOutcome> {
  const acc = new TurnAccumulator();
  const startedAt = Date.now();
  let lastActivity = startedAt;
  let softSent = false;
  let softContinues = 0;
  let ending: Ending | undefined;
  let settleCheck: NodeJS.Timeout | undefined;
  const retry = new OuterRetry(cfg.retry);
  let retryTimer: NodeJS.Timeout | undefined;
  /** A provider wait is running: pi is idle on purpose, so no watchdog decision applies. */
  let waiting = false;
  /** Time spent in provider waits; the wall-clock cap measures the agent's own time. */
  let pausedMs = 0;

  return new Promise<TurnOutcome>((resolve) => {
    const finish = (end: Ending): void => {
      if (ending) return;
      ending = end;
      clearInterval(ticker);
      clearTimeout(settleCheck);
      clearTimeout(retryTimer);
      signal?.removeEventListener('abort', onAbort);
      void stopAgent(proc, end.stop, cfg.abortSettleMs, acc).then((processLost) => {
        unsubscribe();
        resolve({
          status: end.status,
          terminalReason: end.reason,
          detail: end.detail,
          acc,
          softContinues,
          processLost,
        });
      });
    };

    const onEvent = (event: PiEvent): void => {
      if (ending) return;
      if (isAgentActivity(event)) {
        lastActivity = Math.max(lastActivity, Date.now());
        softSent = false;
      }
      const change = acc.apply(event);
      if (event.kind === 'message_end' && event.assistant) retry.observe(event.assistant);
      switch (change.kind) {
        case 'usage':
          cfg.emit({
            type: 'usage',
            role: request.role,
            usage: change.usage,
            total: acc.usage,
            modelRequests: acc.modelRequests,
          });
          break;
        case 'tool_start': {
          const c = change.call;
          cfg.emit({ type: 'tool_start', role: request.role, id: c.id, name: c.name, path: c.path, args: c.args });
          const verdict = detectLoop(acc.toolCalls, cfg.loops);
          if (verdict.kind === 'tool_loop') {
            finish({
              status: 'stalled',
              reason: 'tool_loop',
              stop: 'kill',
              detail: `${verdict.name} called ${verdict.count} times in a row with identical arguments`,
            });
          } else if (verdict.kind === 'path_loop') {
            finish({
              status: 'stalled',
              reason: 'path_loop',
              stop: 'kill',
              detail: `${verdict.count} tool calls in a row on ${verdict.path}`,
            });
          }
          break;
        }
        case 'tool_end': {
          const c = change.call;
          cfg.emit({
            type: 'tool_end',
            role: request.role,
            id: c.id,
            name: c.name,
            isError: c.isError,
            durationMs: c.durationMs ?? 0,
            error: c.error,
          });
          break;
        }
        case 'retry_wait':
          // pi sleeps through the backoff without events; that silence is not a stall.
          lastActivity = Math.max(lastActivity, Date.now() + change.wait.waitMs);
          retry.noteExternalWait(change.wait.waitMs);
          cfg.emit({ type: 'retry_wait', role: request.role, wait: change.wait });
          break;
        case 'none':
          break;
      }
      if (ending) return;
      if (event.kind === 'message_end' && event.assistant?.stopReason === 'error') {
        const info = classifyProviderError(event.assistant.errorMessage);
        if (info.kind === 'auth') {
          // Credentials do not fix themselves: end now, whatever pi's retry policy thinks.
          finish({
            status: 'failed',
            reason: 'provider_auth',
            stop: 'abort',
            detail: authDetail(cfg, request, event.assistant.model, info.status, event.assistant.errorMessage),
          });
          return;
        }
      }
      if (event.kind === 'extension_ui_request' && DIALOG_METHODS.has(event.method)) {
        // Nobody is there to answer; cancelling beats waiting for the dialog's own timeout.
        void proc.send({ type: 'extension_ui_response', id: event.id, cancelled: true }).catch(() => {});
      }
      if (event.kind === 'agent_settled') onSettled();
      else if (event.kind === 'agent_end' && acc.agentEnded) scheduleSettleCheck();
      else if (event.kind === 'agent_start') clearTimeout(settleCheck);
    };

    /** Older pi has no agent_settled: after a quiet moment past agent_end, ask whether it is idle. */
    const scheduleSettleCheck = (): void => {
      clearTimeout(settleCheck);
      settleCheck = setTimeout(() => {
        proc
          .request({ type: 'get_state' }, 5000)
          .then((r) => {
            const d = (r.data ?? {}) as { isStreaming?: boolean; isCompacting?: boolean; pendingMessageCount?: number };
            if (!ending && acc.agentEnded && !d.isStreaming && !d.isCompacting && !d.pendingMessageCount) onSettled();
          })
          .catch(() => {});
      }, 2000);
    };

    /** The agent is idle. Either the turn is over, or a refused model call is waited out and retried. */
    const onSettled = (): void => {
      if (ending || waiting) return;
      clearTimeout(settleCheck);
      const last = acc.lastAssistant;
      const model = request.model ?? (last?.provider && last.model ? `${last.provider}/${last.model}` : undefined);
      const decision = retry.decide(last, cfg.describeModel(model));
      if (decision.kind === 'wait') startProviderWait(decision.wait);
      else if (decision.kind === 'give_up')
        finish({ status: 'failed', reason: 'provider_error', stop: 'none', detail: decision.detail });
      else finish(settledEnding(acc, model ?? 'unknown model', cfg.modelLimits?.(model) ?? {}));
    };

    const startProviderWait = (wait: RetryWait): void => {
      // Reported before sleeping, so a run that dies mid-wait still shows why the time passed.
      acc.recordRetry(wait);
      cfg.emit({ type: 'retry_wait', role: request.role, wait });
      waiting = true;
      const begun = Date.now();
      retryTimer = setTimeout(() => {
        if (ending) return;
        waiting = false;
        pausedMs += Date.now() - begun;
        lastActivity = Date.now();
        softSent = false;
        acc.beginRound();
        // Same session: the failed (empty, errored) response is not replayed to the model by pi,
        // so the conversation reads "task … continue where you left off".
        sendPrompt({ type: 'prompt', message: cfg.providerRetryMessage });
      }, wait.waitMs);
    };

    const onAbort = (): void =>
      finish({
        status: 'failed',
        reason: 'aborted',
        stop: 'kill',
        detail: waiting
          ? 'the turn was aborted by the caller during a provider retry wait'
          : 'the turn was aborted by the caller',
      });

    const tick = (): void => {
      if (ending || waiting) return;
      const now = Date.now();
      const decision = decideWatchdog(cfg.watchdog, {
        secondsSinceLastEvent: Math.max(0, now - lastActivity) / 1000,
        // A summary call is model work with no events until it is done: give it the tool limits.
        toolRunning: acc.toolRunning || acc.compacting,
        secondsSinceTurnStart: (now - startedAt - pausedMs) / 1000,
        softContinueSent: softSent,
      });
      const silent = Math.round((now - lastActivity) / 1000);
      const tools = acc.compacting ? [...acc.runningToolNames(), 'compaction'] : acc.runningToolNames();
      const during = tools.length > 0 ? ` while ${tools.join(', ')} ran` : '';
      if (decision === 'abort_agent_timeout') {
        finish({
          status: 'timed_out',
          reason: 'agent_timeout',
          stop: 'kill',
          detail: `turn exceeded agentTimeoutSeconds=${cfg.watchdog.agentTimeoutSeconds}`,
        });
      } else if (decision === 'abort_no_event') {
        const limit = tools.length > 0 ? cfg.watchdog.toolNoEventTimeoutSeconds : cfg.watchdog.noEventTimeoutSeconds;
        finish({
          status: 'stalled',
          reason: 'no_event_timeout',
          stop: 'kill',
          detail: `no agent activity for ${silent}s${during} (limit ${limit}s)`,
        });
      } else if (decision === 'soft_continue') {
        softSent = true;
        softContinues++;
        cfg.emit({ type: 'soft_continue', role: request.role, silentSeconds: silent, count: softContinues });
        // steer is delivered before pi's next model call, so it nudges without cancelling work.
        void proc.request({ type: 'steer', message: cfg.softContinueMessage }, 5000).catch(() => {});
      }
    };

    const unsubscribe = proc.onEvent(onEvent);
    const ticker = setInterval(tick, cfg.tickMs);
    void proc.waitForExit().then((exit) => {
      const tail = redactSecrets(proc.stderr().trim().split('\n').slice(-5).join('\n'));
      finish({
        status: 'failed',
        reason: 'process_exit',
        stop: 'none',
        detail: `pi exited (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'}) before the turn settled${tail ? `: ${tail}` : ''}`,
      });
    });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    function sendPrompt(prompt: Record<string, unknown>): void {
      proc
        .request(prompt, 30_000)
        .then((r) => {
          if (!r.success)
            finish({
              status: 'failed',
              reason: 'protocol_error',
              stop: 'none',
              detail: `pi rejected the prompt: ${r.error ?? 'no reason given'}`,
            });
        })
        .catch((error: unknown) => {
          finish({
            status: 'failed',
            reason: 'protocol_error',
            stop: 'kill',
            detail: `sending the prompt failed: ${errorMessage(error)}`,
          });
        });
    }

    const prompt: Record<string, unknown> = { type: 'prompt', message: request.prompt };
    if (request.images && request.images.length > 0) {
      prompt.images = request.images.map((i) => ({ type: 'image', data: i.data, mimeType: i.mimeType }));
    }
    sendPrompt(prompt);
  });
}

/**
 * What a settled agent means, judged by its last model response. Retryable provider errors never
 * get here: OuterRetry either retried them or ended the turn as provider_error.
 */
function settledEnding(acc: TurnAccumulator, model: string, limits: ModelLimits): Ending {
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

function authDetail(
  cfg: TurnRunnerConfig,
  request: TurnRequest,
  model: string | undefined,
  status: number | undefined,
  message: string | undefined,
): string {
  const name = request.model ?? model;
  return `model ${cfg.describeModel(name)} rejected the request${status ? ` with HTTP ${status}` : ''} (check its API key / permissions): ${redactSecrets(message ?? '').slice(0, 300)}`;
}

/**
 * 'abort': ask pi to stop and wait briefly for it to settle (keeps the process and session usable).
 * 'kill': the same, then kill the group regardless — a stalled or looping pi is not trusted again.
 * Returns whether the process is gone.
 */
async function stopAgent(
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
