/**
 * The run's side of operator control. Requests arrive through the run's inbox (control/inbox.ts);
 * each is journaled as `control_received` with what the run will do (planControl, a pure
 * decision), then carried out: a pause waits for the iteration in flight to end, a stop aborts the
 * run like SIGTERM, a skip aborts the iteration in flight (decide.ts ends it `operator_skip`), parks
 * and unparks wait for the point between iterations, guidance goes into the turn in flight through
 * pi's RPC `steer` or else into the next developer prompt. How each request was settled is
 * journaled as `control_applied`. Between iterations the loop calls `checkpoint`
 * (control-checkpoint.ts), which applies task changes and holds a pause.
 */
import type { Transport } from '../agent/types.js';
import type { Config } from '../config/load.js';
import { InboxWatcher, type Delivery } from '../control/inbox.js';
import type { ControlRequest } from '../control/request.js';
import type { JournalFold } from '../journal/fold/fold.js';
import type { Journal } from '../journal/writer.js';
import type { HarnessState } from '../runtime/state.js';
import type { ControlAction, ControlResult } from '../vocabulary/control.js';
import { applyBetweenIterations } from './control-checkpoint.js';
import { planControl, planDetail, type ControlPlan, type ControlSituation } from './control-decide.js';

/** The abort reason of an iteration the operator skipped (run-steps.ts tells it from a stop). */
export class OperatorSkip extends Error {
  readonly requestId: string;

  constructor(requestId: string) {
    super('skipped by the operator (pi-harness skip)');
    this.name = 'OperatorSkip';
    this.requestId = requestId;
  }
}

/** The abort reason of a run the operator stopped (`pi-harness stop`). */
export class OperatorStop extends Error {
  constructor() {
    super('stopped by the operator (pi-harness stop)');
    this.name = 'OperatorStop';
  }
}

export interface ControlDeskOptions {
  journal: Journal;
  /** The run's fold: where the desk learns about the turn in flight. */
  fold: JournalFold;
  config: Config;
  /** Stops the run as SIGTERM would. */
  stopRun: (reason: Error) => void;
  /** The lock's status line (`paused`, `running`). */
  setStatus: (status: string) => Promise<void>;
  /** Saves the run's state (parked and unparked tasks) where the run keeps it. */
  saveState: (state: HarnessState) => Promise<void>;
}

/** A task change waiting for the point between iterations. */
export interface PendingTaskChange {
  requestId: string;
  kind: 'park' | 'unpark';
  /** null: the task the next iteration would take. */
  taskId: string | null;
  /** The iteration that was aborted for it, if one was. */
  abortedIteration?: number;
}

/** How long a pause sleeps before it looks again without news (it also wakes on every request). */
const PAUSE_RECHECK_MS = 60_000;

export class ControlDesk {
  readonly options: ControlDeskOptions;
  readonly pendingTasks: PendingTaskChange[] = [];
  paused = false;
  /** The request that asked for the pause the run is in (or is heading for). */
  pauseRequest: string | undefined;
  private transport: Transport | undefined;
  private inbox: InboxWatcher | undefined;
  /** Iterations in flight, by number: one in a sequential run, up to N in a parallel one. */
  private readonly iterations = new Map<number, { number: number; taskId: string; controller: AbortController }>();
  private readonly steers: { requestId: string; text: string }[] = [];
  /** Received and not yet settled: settled `no_effect` when the run ends first. */
  private readonly unsettled = new Map<string, ControlAction>();
  private wakeUp: (() => void) | undefined;

  constructor(options: ControlDeskOptions) {
    this.options = options;
  }

  async start(inboxDir: string): Promise<void> {
    this.inbox = new InboxWatcher(inboxDir, (delivery) => this.receive(delivery), {
      onError: (message) => this.options.journal.append({ type: 'warning', message }),
    });
    await this.inbox.start();
  }

  useTransport(transport: Transport): void {
    this.transport = transport;
  }

  receive(delivery: Delivery): void {
    if (delivery.kind === 'invalid') {
      this.options.journal.append({
        type: 'warning',
        message: `control request ${delivery.id} was not understood: ${delivery.error}`,
      });
      return;
    }
    const { request } = delivery;
    const plan = planControl(request, this.situation(request.task));
    this.options.journal.append({
      type: 'control_received',
      id: request.id,
      action: request.action,
      source: request.source,
      ...(request.task ? { task: request.task } : {}),
      ...(request.text ? { text: request.text } : {}),
      detail: planDetail(plan),
    });
    this.unsettled.set(request.id, request.action);
    this.carryOut(request, plan);
    this.wake();
  }

  /** Called as an iteration starts: its abort signal, which a skip of its task fires. */
  beginIteration(number: number, taskId: string): AbortSignal {
    const iteration = { number, taskId, controller: new AbortController() };
    this.iterations.set(number, iteration);
    return iteration.controller.signal;
  }

  /** The iteration `number` ended (without one: every iteration in flight, as a sequential run has one). */
  endIteration(number?: number): void {
    if (number === undefined) this.iterations.clear();
    else this.iterations.delete(number);
  }

  /**
   * The iteration a request is about: the one in flight on `task` when it names one, else the
   * earliest in flight (a parallel run has several; a skip without a task takes the oldest).
   */
  private iterationFor(task: string | undefined) {
    const flying = [...this.iterations.values()].sort((a, b) => a.number - b.number);
    return flying.find((iteration) => iteration.taskId === task) ?? flying[0];
  }

  /** Guidance waiting for a developer prompt; handing it over settles its requests. */
  takeGuidance(kind: string): string[] {
    if (!kind.startsWith('developer') || this.steers.length === 0) return [];
    const taken = this.steers.splice(0);
    const current = this.iterationFor(undefined);
    const where = current ? ` of iteration ${current.number}` : '';
    for (const steer of taken) this.settle(steer.requestId, 'applied', `put into the ${kind} prompt${where}`);
    return taken.map((steer) => steer.text);
  }

  /**
   * Between iterations: applies waiting task changes and, while a pause holds, waits (lock held, no
   * model calls) until a resume or a stop. Returns the state with the changes saved.
   */
  async checkpoint(state: HarnessState, signal: AbortSignal, options: { hold: boolean }): Promise<HarnessState> {
    for (;;) {
      state = await applyBetweenIterations(this, state);
      if (!options.hold || !this.pauseRequest || signal.aborted) return state;
      if (!this.paused) {
        this.paused = true;
        this.settle(this.pauseRequest, 'applied', 'paused: no model calls until resume or stop; the lock stays held');
        await this.options.setStatus('paused').catch(() => undefined);
      }
      await this.nextNews(signal);
    }
  }

  /** Settles a request: `control_applied` in the journal. */
  settle(requestId: string, result: ControlResult, detail: string, taskId?: string): void {
    const action = this.unsettled.get(requestId);
    if (!action) return;
    this.unsettled.delete(requestId);
    this.options.journal.append({
      type: 'control_applied',
      id: requestId,
      action,
      result,
      detail,
      ...(taskId ? { taskId } : {}),
    });
  }

  /** The run is ending: no more requests; what was not applied never will be. */
  async close(): Promise<void> {
    await this.inbox?.close({ remove: true });
    for (const id of [...this.unsettled.keys()]) this.settle(id, 'no_effect', 'the run ended before it applied');
  }

  private situation(task: string | undefined): ControlSituation {
    const turn = this.options.fold.turn;
    const iteration = this.iterationFor(task);
    return {
      paused: this.paused,
      pauseRequested: this.pauseRequest !== undefined,
      iteration: iteration ? { number: iteration.number, taskId: iteration.taskId } : null,
      steerableTurn: turn && this.transport?.steer && turn.role !== 'unknown' ? { role: turn.role } : null,
    };
  }

  private carryOut(request: ControlRequest, plan: ControlPlan): void {
    switch (plan.kind) {
      case 'pause':
        this.pauseRequest = request.id;
        return;
      case 'resume':
        this.resume(request.id);
        return;
      case 'stop':
        this.settle(request.id, 'applied', planDetail(plan));
        this.options.stopRun(new OperatorStop());
        return;
      case 'skip_current':
        this.pendingTasks.push({
          requestId: request.id,
          kind: 'park',
          taskId: plan.taskId,
          abortedIteration: plan.iteration,
        });
        this.iterations.get(plan.iteration)?.controller.abort(new OperatorSkip(request.id));
        return;
      case 'park':
      case 'unpark':
        this.pendingTasks.push({ requestId: request.id, kind: plan.kind, taskId: plan.taskId });
        return;
      case 'steer_turn':
        this.steerTurn(request.id, request.text ?? '');
        return;
      case 'steer_prompt':
        this.steers.push({ requestId: request.id, text: request.text ?? '' });
        return;
      case 'nothing':
        this.settle(request.id, request.action === 'retry' ? 'rejected' : 'no_effect', plan.why);
        return;
    }
  }

  private resume(requestId: string): void {
    const pause = this.pauseRequest;
    this.pauseRequest = undefined;
    if (this.paused) {
      this.paused = false;
      this.settle(requestId, 'applied', 'resumed');
      void this.options.setStatus('running').catch(() => undefined);
    } else if (pause) {
      this.settle(pause, 'no_effect', `cancelled by ${requestId} before it took effect`);
      this.settle(requestId, 'applied', 'the pause asked for is cancelled');
    }
  }

  private steerTurn(requestId: string, text: string): void {
    const transport = this.transport;
    if (!transport?.steer) {
      this.steers.push({ requestId, text });
      return;
    }
    void transport.steer(text).then((outcome) => {
      if (outcome.kind === 'delivered') {
        const at = new Date(outcome.at).toISOString();
        this.settle(requestId, 'applied', `pi delivered it to the ${outcome.role} turn at ${at}`);
      } else {
        // Not lost: the next developer prompt carries it.
        this.steers.push({ requestId, text });
        this.options.journal.append({
          type: 'warning',
          message: `guidance ${requestId} was not delivered to the turn (${outcome.why}); it goes into the next developer prompt`,
        });
      }
    });
  }

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  private nextNews(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, PAUSE_RECHECK_MS);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
      this.wakeUp = done;
    });
  }
}
