/**
 * What a run does with an operator's request, decided as a pure function of the request and of
 * where the run is: paused or not, an iteration in flight, a turn in flight that can be steered.
 * The control desk (control-desk.ts) performs the plan; how an aborted iteration then ends is
 * decided by decide.ts (`whenInterrupted` with the cause `skip`). Unit-tested branch by branch.
 */
import type { ControlAction } from '../vocabulary/control.js';
import type { Role } from '../vocabulary/roles.js';

export interface ControlSituation {
  /** The run is waiting in a pause. */
  paused: boolean;
  /** A pause was asked for and waits for the iteration in flight to end. */
  pauseRequested: boolean;
  iteration: { number: number; taskId: string } | null;
  /** The agent turn in flight, when the transport can steer it. */
  steerableTurn: { role: Role } | null;
}

export type ControlPlan =
  | { kind: 'pause'; after: number | null }
  | { kind: 'resume'; wasPaused: boolean }
  | { kind: 'stop' }
  /** Abort the iteration in flight (its work is kept), then park its task. */
  | { kind: 'skip_current'; iteration: number; taskId: string }
  /** Park a task between iterations; null: the task the next iteration would take. */
  | { kind: 'park'; taskId: string | null }
  | { kind: 'unpark'; taskId: string }
  | { kind: 'steer_turn'; role: Role }
  | { kind: 'steer_prompt' }
  | { kind: 'nothing'; why: string };

export interface PlannedRequest {
  action: ControlAction;
  task?: string;
}

function skipPlan(task: string | undefined, situation: ControlSituation): ControlPlan {
  const { iteration } = situation;
  if (iteration && (task === undefined || task === iteration.taskId))
    return { kind: 'skip_current', iteration: iteration.number, taskId: iteration.taskId };
  return { kind: 'park', taskId: task ?? null };
}

export function planControl(request: PlannedRequest, situation: ControlSituation): ControlPlan {
  switch (request.action) {
    case 'pause':
      if (situation.paused || situation.pauseRequested) return { kind: 'nothing', why: 'the run is already pausing' };
      return { kind: 'pause', after: situation.iteration?.number ?? null };
    case 'resume':
      if (!situation.paused && !situation.pauseRequested) return { kind: 'nothing', why: 'the run is not paused' };
      return { kind: 'resume', wasPaused: situation.paused };
    case 'stop':
      return { kind: 'stop' };
    case 'skip':
      return skipPlan(request.task, situation);
    case 'retry':
      return request.task ? { kind: 'unpark', taskId: request.task } : { kind: 'nothing', why: 'retry names no task' };
    case 'steer':
      return situation.steerableTurn
        ? { kind: 'steer_turn', role: situation.steerableTurn.role }
        : { kind: 'steer_prompt' };
  }
}

/** What the run tells the requester it will do (the `detail` of control_received). */
export function planDetail(plan: ControlPlan): string {
  switch (plan.kind) {
    case 'pause':
      return plan.after === null
        ? 'pausing before the next iteration'
        : `pausing when iteration ${plan.after} ends (the lock stays held; no model calls until resume or stop)`;
    case 'resume':
      return plan.wasPaused ? 'resuming' : 'the pause asked for is cancelled';
    case 'stop':
      return 'stopping: the turn in flight is aborted, its work kept, the lock released';
    case 'skip_current':
      return `aborting iteration ${plan.iteration} (its work is kept in a rescue ref), then parking its task`;
    case 'park':
      return plan.taskId === null ? 'parking the next task before it starts' : `parking task ${plan.taskId}`;
    case 'unpark':
      return `giving task ${plan.taskId} back to the run before the next iteration`;
    case 'steer_turn':
      return `sending the guidance to the ${plan.role} turn in flight (pi delivers it after the current tool call)`;
    case 'steer_prompt':
      return 'no turn in flight: the guidance goes into the next developer prompt';
    case 'nothing':
      return plan.why;
  }
}
