/**
 * What the fold knows about the task file and about operator control: the task list the run last
 * journaled, the tasks it parked, unparked and finished since, and each operator request with how
 * the run settled it. Mutation in place, like the rest of the fold; no Node imports.
 */
import type { ReadEventOf } from '../decode.js';
import { MAX_CONTROLS, type ControlFacts, type ControlRecord, type TaskEntryFacts } from './facts.js';

export function emptyControl(): ControlFacts {
  return { paused: false, pausedAt: null, requests: [] };
}

export function replaceTaskList(list: TaskEntryFacts[], event: ReadEventOf<'task_list'>): void {
  const causes = new Map(list.map((entry) => [entry.id, entry]));
  list.length = 0;
  for (const entry of event.tasks ?? []) {
    const known = causes.get(entry.id);
    const parked = entry.parked;
    list.push({
      ...entry,
      parkCause: parked ? (known?.parkCause ?? null) : null,
      parkReason: parked ? (known?.parkReason ?? null) : null,
    });
  }
}

export function parkInList(list: TaskEntryFacts[], event: ReadEventOf<'task_parked'>): void {
  const entry = list.find((task) => task.id === event.taskId);
  if (!entry) return;
  entry.parked = true;
  entry.parkCause = event.cause ?? null;
  entry.parkReason = event.reason ?? null;
}

export function unparkInList(list: TaskEntryFacts[], event: ReadEventOf<'task_unparked'>): void {
  const entry = list.find((task) => task.id === event.taskId);
  if (!entry) return;
  entry.parked = false;
  entry.parkCause = null;
  entry.parkReason = null;
}

/** A succeeded iteration ticked its task. */
export function markDone(list: TaskEntryFacts[], taskId: string): void {
  const entry = list.find((task) => task.id === taskId);
  if (entry) entry.done = true;
}

export function receiveControl(control: ControlFacts, event: ReadEventOf<'control_received'>): void {
  if (!event.id || !event.action) return;
  const record: ControlRecord = {
    id: event.id,
    action: event.action,
    source: event.source ?? null,
    task: event.task ?? null,
    text: event.text ?? null,
    receivedAt: event.at,
    plan: event.detail ?? '',
    result: null,
    detail: null,
    appliedAt: null,
  };
  control.requests.push(record);
  if (control.requests.length > MAX_CONTROLS) control.requests.splice(0, control.requests.length - MAX_CONTROLS);
}

export function applyControl(control: ControlFacts, event: ReadEventOf<'control_applied'>): void {
  const record = control.requests.find((request) => request.id === event.id);
  if (record) {
    record.result = event.result ?? null;
    record.detail = event.detail ?? null;
    record.appliedAt = event.at;
  }
  if (event.result !== 'applied') return;
  if (event.action === 'pause') {
    control.paused = true;
    control.pausedAt = event.at;
  } else if (event.action === 'resume' || event.action === 'stop') {
    control.paused = false;
    control.pausedAt = null;
  }
}
