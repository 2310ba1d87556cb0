/**
 * An operator's request to a running run, as it travels through the inbox (inbox.ts): one JSON
 * object per file, read back through `parseControlRequest`, which names what is wrong with a bad one.
 */
import { randomBytes } from 'node:crypto';
import { isObject } from '../util/json.js';
import { CONTROL_ACTIONS, CONTROL_SOURCES, type ControlAction, type ControlSource } from '../vocabulary/control.js';

export interface ControlRequest {
  /** Sortable by time (`20261124T104700123Z-a1b2c3`), safe as a file name. */
  id: string;
  action: ControlAction;
  source: ControlSource;
  /** skip (optional: default the current task) and retry (required): a task id. */
  task?: string;
  /** steer: the guidance for the agent. */
  text?: string;
  requestedAt: string;
}

/** Steering text longer than this is refused: it goes into a prompt. */
export const MAX_STEER_CHARS = 8000;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

export function newControlId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

export type ParsedRequest = { ok: true; request: ControlRequest } | { ok: false; error: string };

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** What is wrong with the parts an action needs, or undefined. */
function actionProblem(action: ControlAction, task: unknown, text: unknown): string | undefined {
  if (task !== undefined && (typeof task !== 'string' || task.trim() === ''))
    return '"task" must be a non-empty string';
  if (action === 'retry' && task === undefined) return 'retry needs the task to retry ("task")';
  if (action !== 'steer') return text === undefined ? undefined : `${action} takes no "text"`;
  if (typeof text !== 'string' || text.trim() === '') return 'steer needs the guidance text ("text")';
  if (text.length > MAX_STEER_CHARS) return `the steering text is longer than ${MAX_STEER_CHARS} characters`;
  return undefined;
}

/** Reads a request from untrusted JSON (a file in the inbox, a POST body). */
export function parseControlRequest(
  value: unknown,
  defaults: { id?: string; source?: ControlSource } = {},
): ParsedRequest {
  if (!isObject(value)) return { ok: false, error: 'a control request is a JSON object' };
  const action = oneOf(CONTROL_ACTIONS, value.action);
  if (!action) return { ok: false, error: `"action" must be one of ${CONTROL_ACTIONS.join(', ')}` };
  const id = value.id ?? defaults.id;
  if (typeof id !== 'string' || !ID_PATTERN.test(id))
    return { ok: false, error: '"id" must be 1-80 letters, digits, _ or -' };
  const source = oneOf(CONTROL_SOURCES, value.source) ?? defaults.source;
  if (!source) return { ok: false, error: `"source" must be one of ${CONTROL_SOURCES.join(', ')}` };
  const problem = actionProblem(action, value.task, value.text);
  if (problem) return { ok: false, error: problem };
  const request: ControlRequest = {
    id,
    action,
    source,
    requestedAt: typeof value.requestedAt === 'string' ? value.requestedAt : new Date().toISOString(),
  };
  if (typeof value.task === 'string') request.task = value.task.trim();
  if (typeof value.text === 'string') request.text = value.text.trim();
  return { ok: true, request };
}
