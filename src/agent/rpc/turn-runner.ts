/**
 * Runs one prompt on a live pi process until it settles or a watchdog ends it. Ending is always
 * decided here, exactly once, with one TerminalReason.
 */

import { errorMessage } from '../../util/errors.js';
import type { RetryWait, SteerOutcome, TerminalReason, TurnRequest, TurnStatus } from '../types.js';
import type { ModelLimits } from './context-limits.js';
import { type AssistantInfo, isAgentActivity, type PiEvent } from './events.js';
import { OuterRetry } from './outer-retry.js';
import type { PiExit, PiProcess } from './process.js';
import { DIALOG_METHODS, type PiCommand } from './protocol.js';
import { classifyProviderError } from './provider-errors.js';
import type { RetryPolicy } from './retry-policy.js';
import type { TransportEvent } from './transport-events.js';
import { TurnAccumulator, type TurnChange } from './turn-accumulator.js';
import {
  authEnding,
  type Ending,
  loopEnding,
  processExitEnding,
  settledEnding,
  stopAgent,
  watchdogEnding,
} from './turn-endings.js';
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

type PromptCommand = Extract<PiCommand, { type: 'prompt' }>;

/** How long pi gets to answer a command sent during the turn. */
const PROMPT_ANSWER_MS = 30_000;
const COMMAND_ANSWER_MS = 5000;
/** Older pi has no agent_settled: this long after agent_end, the turn asks whether pi is idle. */
const SETTLE_CHECK_DELAY_MS = 2000;

export function runPiTurn(
  proc: PiProcess,
  request: TurnRequest,
  cfg: TurnRunnerConfig,
  signal?: AbortSignal,
): Promise<TurnOutcome> {
  return startPiTurn(proc, request, cfg, signal).outcome;
}

/** A turn that is running: how it ends, and a way to steer it meanwhile. */
export interface RunningTurn {
  outcome: Promise<TurnOutcome>;
  steer(text: string): Promise<SteerOutcome>;
}

export function startPiTurn(
  proc: PiProcess,
  request: TurnRequest,
  cfg: TurnRunnerConfig,
  signal?: AbortSignal,
): RunningTurn {
  const turn = new PiTurn(proc, request, cfg, signal);
  return { outcome: turn.run(), steer: (text) => turn.steer(text) };
}

/** One turn: the state its event, timer and abort handlers share, and one method per handler. */
class PiTurn {
  private readonly proc: PiProcess;
  private readonly request: TurnRequest;
  private readonly cfg: TurnRunnerConfig;
  private readonly signal: AbortSignal | undefined;
  private readonly acc = new TurnAccumulator();
  private readonly retry: OuterRetry;
  private readonly startedAt = Date.now();
  private lastActivity = this.startedAt;
  private softSent = false;
  private softContinues = 0;
  private ending: Ending | undefined;
  private settleCheck: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  /** A provider wait is running: pi is idle on purpose, so no watchdog decision applies. */
  private waiting = false;
  /** Time spent in provider waits; the wall-clock cap measures the agent's own time. */
  private pausedMs = 0;
  /**
   * Steering messages pi queued and has not delivered yet, oldest first (pi delivers them in order,
   * each as a user message after the tool calls in progress); a soft continue holds a place too.
   */
  private readonly steering: ((outcome: SteerOutcome) => void)[] = [];
  /** The model has answered once: a user message from now on is delivered steering, not the prompt. */
  private sawAssistant = false;
  private unsubscribe: () => void = () => {};
  private stopWatchingExit: () => void = () => {};
  private resolve: (outcome: TurnOutcome) => void = () => {};

  constructor(proc: PiProcess, request: TurnRequest, cfg: TurnRunnerConfig, signal: AbortSignal | undefined) {
    this.proc = proc;
    this.request = request;
    this.cfg = cfg;
    this.signal = signal;
    this.retry = new OuterRetry(cfg.retry);
  }

  run(): Promise<TurnOutcome> {
    return new Promise<TurnOutcome>((resolve) => {
      this.resolve = resolve;
      this.unsubscribe = this.proc.onEvent((event) => this.onEvent(event));
      this.ticker = setInterval(() => this.tick(), this.cfg.tickMs);
      this.stopWatchingExit = this.proc.onExit((exit) => this.onExit(exit));
      if (this.signal?.aborted) return this.onAbort();
      this.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.sendPrompt(firstPrompt(this.request));
    });
  }

  /** Decides the turn's one ending, stops the agent as that ending asks, then resolves. */
  private finish(end: Ending): void {
    if (this.ending) return;
    this.ending = end;
    clearInterval(this.ticker);
    clearTimeout(this.settleCheck);
    clearTimeout(this.retryTimer);
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const settle of this.steering.splice(0))
      settle({ kind: 'not_delivered', why: `the turn ended (${end.reason}) before pi delivered it` });
    void stopAgent(this.proc, end.stop, this.cfg.abortSettleMs, this.acc).then((processLost) => {
      this.unsubscribe();
      this.stopWatchingExit();
      this.resolve({
        status: end.status,
        terminalReason: end.reason,
        detail: end.detail,
        acc: this.acc,
        softContinues: this.softContinues,
        processLost,
      });
    });
  }

  private onEvent(event: PiEvent): void {
    if (this.ending) return;
    if (isAgentActivity(event)) {
      this.lastActivity = Math.max(this.lastActivity, Date.now());
      this.softSent = false;
    }
    const change = this.acc.apply(event);
    if (event.kind === 'message_start') this.onMessageStart(event.role);
    if (event.kind === 'message_end' && event.assistant) this.retry.observe(event.assistant);
    this.report(change);
    if (this.ending) return;
    if (event.kind === 'message_end' && event.assistant?.stopReason === 'error' && this.endOnAuth(event.assistant)) {
      return;
    }
    if (event.kind === 'extension_ui_request' && DIALOG_METHODS.has(event.method)) {
      // Nobody is there to answer; cancelling beats waiting for the dialog's own timeout.
      void this.proc.send({ type: 'extension_ui_response', id: event.id, cancelled: true }).catch(() => {});
    }
    if (event.kind === 'agent_settled') this.onSettled();
    else if (event.kind === 'agent_end' && this.acc.agentEnded) this.scheduleSettleCheck();
    else if (event.kind === 'agent_start') clearTimeout(this.settleCheck);
  }

  /** Passes what an event changed on to the listener; a new tool call may reveal a loop. */
  private report(change: TurnChange): void {
    const role = this.request.role;
    switch (change.kind) {
      case 'usage':
        this.cfg.emit({
          type: 'usage',
          role,
          usage: change.usage,
          total: this.acc.usage,
          modelRequests: this.acc.modelRequests,
        });
        break;
      case 'tool_start': {
        const c = change.call;
        this.cfg.emit({ type: 'tool_start', role, id: c.id, name: c.name, path: c.path, args: c.args });
        const loop = loopEnding(detectLoop(this.acc.toolCalls, this.cfg.loops));
        if (loop) this.finish(loop);
        break;
      }
      case 'tool_end': {
        const c = change.call;
        const durationMs = c.durationMs ?? 0;
        this.cfg.emit({
          type: 'tool_end',
          role,
          id: c.id,
          name: c.name,
          isError: c.isError,
          durationMs,
          error: c.error,
        });
        break;
      }
      case 'retry_wait':
        // pi sleeps through the backoff without events; that silence is not a stall.
        this.lastActivity = Math.max(this.lastActivity, Date.now() + change.wait.waitMs);
        this.retry.noteExternalWait(change.wait.waitMs);
        this.cfg.emit({ type: 'retry_wait', role, wait: change.wait });
        break;
      case 'none':
        break;
    }
  }

  private onMessageStart(role: string): void {
    if (role === 'assistant') this.sawAssistant = true;
    else if (role === 'user' && this.sawAssistant)
      this.steering.shift()?.({ kind: 'delivered', at: Date.now(), role: this.request.role });
  }

  /** Queues guidance in pi; settles once pi delivered it (or the turn ended first). */
  steer(text: string): Promise<SteerOutcome> {
    if (this.ending) return Promise.resolve({ kind: 'not_delivered', why: 'the turn had already ended' });
    return new Promise<SteerOutcome>((resolve) => {
      this.proc
        .request({ type: 'steer', message: text }, COMMAND_ANSWER_MS)
        .then((answer) => {
          if (!answer.success) resolve({ kind: 'not_delivered', why: `pi refused it: ${answer.error ?? 'no reason'}` });
          else if (this.ending) resolve({ kind: 'not_delivered', why: 'the turn ended before pi delivered it' });
          else this.steering.push(resolve);
        })
        .catch((error: unknown) => resolve({ kind: 'not_delivered', why: errorMessage(error) }));
    });
  }

  /** Credentials do not fix themselves: end now, whatever pi's retry policy thinks. */
  private endOnAuth(assistant: AssistantInfo): boolean {
    const info = classifyProviderError(assistant.errorMessage);
    if (info.kind !== 'auth') return false;
    const model = this.cfg.describeModel(this.request.model ?? assistant.model);
    this.finish(authEnding(model, info.status, assistant.errorMessage));
    return true;
  }

  /** Older pi has no agent_settled: after a quiet moment past agent_end, ask whether it is idle. */
  private scheduleSettleCheck(): void {
    clearTimeout(this.settleCheck);
    this.settleCheck = setTimeout(() => {
      this.proc
        .request({ type: 'get_state' }, COMMAND_ANSWER_MS)
        .then((answer) => {
          // A pi that cannot tell is taken at its agent_end.
          const state = answer.success ? answer.data : {};
          const idle = !state.isStreaming && !state.isCompacting && !state.pendingMessageCount;
          if (!this.ending && this.acc.agentEnded && idle) this.onSettled();
        })
        .catch(() => {});
    }, SETTLE_CHECK_DELAY_MS);
  }

  /** The agent is idle. Either the turn is over, or a refused model call is waited out and retried. */
  private onSettled(): void {
    if (this.ending || this.waiting) return;
    clearTimeout(this.settleCheck);
    const last = this.acc.lastAssistant;
    const named = last?.provider && last.model ? `${last.provider}/${last.model}` : undefined;
    const model = this.request.model ?? named;
    const decision = this.retry.decide(last, this.cfg.describeModel(model));
    if (decision.kind === 'wait') this.startProviderWait(decision.wait);
    else if (decision.kind === 'give_up')
      this.finish({ status: 'failed', reason: 'provider_error', stop: 'none', detail: decision.detail });
    else this.finish(settledEnding(this.acc, model ?? 'unknown model', this.cfg.modelLimits?.(model) ?? {}));
  }

  private startProviderWait(wait: RetryWait): void {
    // Reported before sleeping, so a run that dies mid-wait still shows why the time passed.
    this.acc.recordRetry(wait);
    this.cfg.emit({ type: 'retry_wait', role: this.request.role, wait });
    this.waiting = true;
    const begun = Date.now();
    this.retryTimer = setTimeout(() => {
      if (this.ending) return;
      this.waiting = false;
      this.pausedMs += Date.now() - begun;
      this.lastActivity = Date.now();
      this.softSent = false;
      this.acc.beginRound();
      // Same session: the failed (empty, errored) response is not replayed to the model by pi,
      // so the conversation reads "task … continue where you left off".
      this.sendPrompt({ type: 'prompt', message: this.cfg.providerRetryMessage });
    }, wait.waitMs);
  }

  /** An arrow, so the same function is added to and removed from the signal. */
  private readonly onAbort = (): void =>
    this.finish({
      status: 'failed',
      reason: 'aborted',
      stop: 'kill',
      detail: this.waiting
        ? 'the turn was aborted by the caller during a provider retry wait'
        : 'the turn was aborted by the caller',
    });

  private onExit(exit: PiExit): void {
    this.finish(processExitEnding(exit, this.proc.stderr()));
  }

  /** The watchdog's clock: end a stalled or overlong turn, or nudge a quiet one once. */
  private tick(): void {
    if (this.ending || this.waiting) return;
    const now = Date.now();
    const decision = decideWatchdog(this.cfg.watchdog, {
      secondsSinceLastEvent: Math.max(0, now - this.lastActivity) / 1000,
      // A summary call is model work with no events until it is done: give it the tool limits.
      toolRunning: this.acc.toolRunning || this.acc.compacting,
      secondsSinceTurnStart: (now - this.startedAt - this.pausedMs) / 1000,
      softContinueSent: this.softSent,
    });
    const silentSeconds = Math.round((now - this.lastActivity) / 1000);
    const tools = this.acc.runningToolNames();
    const running = this.acc.compacting ? [...tools, 'compaction'] : tools;
    const ending = watchdogEnding(decision, { thresholds: this.cfg.watchdog, silentSeconds, running });
    if (ending) this.finish(ending);
    else if (decision === 'soft_continue') this.softContinue(silentSeconds);
  }

  private softContinue(silentSeconds: number): void {
    this.softSent = true;
    this.softContinues++;
    const count = this.softContinues;
    this.cfg.emit({ type: 'soft_continue', role: this.request.role, silentSeconds, count });
    // steer is delivered before pi's next model call, so it nudges without cancelling work.
    void this.proc
      .request({ type: 'steer', message: this.cfg.softContinueMessage }, COMMAND_ANSWER_MS)
      .then((answer) => {
        // The nudge takes a place in pi's steering queue like an operator's guidance.
        if (answer.success && !this.ending) this.steering.push(() => undefined);
      })
      .catch(() => {});
  }

  private sendPrompt(prompt: PromptCommand): void {
    this.proc
      .request(prompt, PROMPT_ANSWER_MS)
      .then((answer) => {
        if (answer.success) return;
        this.finish({
          status: 'failed',
          reason: 'protocol_error',
          stop: 'none',
          detail: `pi rejected the prompt: ${answer.error ?? 'no reason given'}`,
        });
      })
      .catch((error: unknown) => {
        this.finish({
          status: 'failed',
          reason: 'protocol_error',
          stop: 'kill',
          detail: `sending the prompt failed: ${errorMessage(error)}`,
        });
      });
  }
}

function firstPrompt(request: TurnRequest): PromptCommand {
  const prompt: PromptCommand = { type: 'prompt', message: request.prompt };
  if (request.images && request.images.length > 0) {
    prompt.images = request.images.map((i) => ({ type: 'image', data: i.data, mimeType: i.mimeType }));
  }
  return prompt;
}
