/**
 * What a run lock file says, read once into one of four cases. A lock that fails this version's
 * schema is not thereby stale: if a process id can still be read from it (loosely: the `pid`
 * field, even among fields this version does not know, or the `"pid": N` text of a damaged file)
 * and that process lives, the lock is held. Only a lock whose holder is gone, or that names no
 * process at all, may be taken over. A lock written by a newer version is left alone entirely.
 */
import { isObject, numberField, stringField, type JsonObject } from '../util/json.js';
import { newerVersionOf } from './newer-version.js';

export const LOCK_VERSION = 1;

export interface LockRecord {
  version: typeof LOCK_VERSION;
  runId: string;
  pid: number;
  hostname: string;
  startedAt: string;
  /** starttime (field 22 of /proc/<pid>/stat, clock ticks since boot); null where /proc is absent. */
  processStartTime: number | null;
  heartbeatAt: string;
  status: string;
  command: string;
}

const STRING_FIELDS = ['hostname', 'startedAt', 'heartbeatAt', 'status', 'command'] as const;

/**
 * The lock record in `value`, or the first field that breaks this version's format. Checked by
 * hand, not by a schema library: `status` reads the lock in a fresh process that must answer in a
 * fraction of a second, and loading a validator costs more than all the rest of its work.
 */
function checkLockRecord(value: unknown): { record: LockRecord } | { problem: string } {
  if (!isObject(value)) return { problem: 'expected an object' };
  if (value.version !== LOCK_VERSION) return { problem: `version: expected ${LOCK_VERSION}` };
  const { runId, pid, processStartTime } = value;
  if (typeof runId !== 'string' || runId === '') return { problem: 'runId: expected a non-empty string' };
  if (!isPid(pid)) return { problem: 'pid: expected a positive integer' };
  const startTimeOk =
    processStartTime === null ||
    (typeof processStartTime === 'number' && Number.isSafeInteger(processStartTime) && processStartTime >= 0);
  if (!startTimeOk) return { problem: 'processStartTime: expected a non-negative integer or null' };
  for (const key of STRING_FIELDS) if (typeof value[key] !== 'string') return { problem: `${key}: expected a string` };
  const text = (key: (typeof STRING_FIELDS)[number]) => value[key] as string;
  return {
    record: {
      version: LOCK_VERSION,
      runId,
      pid,
      hostname: text('hostname'),
      startedAt: text('startedAt'),
      processStartTime: processStartTime as number | null,
      heartbeatAt: text('heartbeatAt'),
      status: text('status'),
      command: text('command'),
    },
  };
}

/** The holder as far as it can be read: a pid at least; the rest when the file says it. */
export interface LockHolder {
  pid: number;
  runId?: string;
  hostname?: string;
  startedAt?: string;
  heartbeatAt?: string;
  processStartTime?: number | null;
  status?: string;
  command?: string;
}

export type LockReading =
  | { kind: 'valid'; record: LockRecord }
  /** Written by a newer version: never judged, never replaced. */
  | { kind: 'newer'; version: number }
  /** Fails the schema, but names a process: held while that process lives. */
  | { kind: 'loose'; holder: LockHolder; problem: string }
  /** Names no process at all (empty, torn, not a lock): stale. */
  | { kind: 'unreadable'; problem: string };

const isPid = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

function pidOf(record: JsonObject | undefined, text: string): number | undefined {
  const field = record?.pid;
  if (isPid(field)) return field;
  if (typeof field === 'string' && /^\d+$/.test(field) && isPid(Number(field))) return Number(field);
  const match = /"pid"\s*:\s*"?(\d{1,10})\b/.exec(text);
  return match && isPid(Number(match[1])) ? Number(match[1]) : undefined;
}

/** A string field of a damaged file that is still whole in its text. */
function textField(text: string, key: string): string | undefined {
  const match = new RegExp(`"${key}"\\s*:\\s*"([^"\\\\]*)"`).exec(text);
  return match?.[1];
}

/** Whatever fields of the holder a lock that failed the schema still has, with the right types. */
function looseHolder(pid: number, record: JsonObject | undefined, text: string): LockHolder {
  const holder: LockHolder = { pid };
  for (const key of ['runId', 'hostname', 'startedAt', 'heartbeatAt', 'status', 'command'] as const) {
    const value = record ? stringField(record, key) : textField(text, key);
    if (value !== undefined) holder[key] = value;
  }
  const startTime = record ? numberField(record, 'processStartTime') : undefined;
  if (startTime !== undefined) holder.processStartTime = startTime;
  return holder;
}

export function readLockText(text: string): LockReading {
  let value: unknown;
  let problem: string;
  try {
    value = JSON.parse(text);
    const newer = newerVersionOf(value, LOCK_VERSION);
    if (newer !== undefined) return { kind: 'newer', version: newer };
    const checked = checkLockRecord(value);
    if ('record' in checked) return { kind: 'valid', record: checked.record };
    problem = `it does not match this version's lock format (${checked.problem})`;
  } catch {
    problem = 'it is not valid JSON';
  }
  const record = isObject(value) ? value : undefined;
  const pid = pidOf(record, text);
  return pid === undefined
    ? { kind: 'unreadable', problem }
    : { kind: 'loose', holder: looseHolder(pid, record, text), problem };
}

/** "run R, pid P on H, since S (last heartbeat B, status T), command: C", with what is known. */
export function describeHolder(holder: LockHolder): string {
  const parts = [
    ...(holder.runId ? [`run ${holder.runId}`] : []),
    `pid ${holder.pid}${holder.hostname ? ` on ${holder.hostname}` : ''}` +
      (holder.startedAt ? `, since ${holder.startedAt}` : ''),
  ];
  const details = [
    ...(holder.heartbeatAt ? [`last heartbeat ${holder.heartbeatAt}`] : []),
    ...(holder.status ? [`status ${holder.status}`] : []),
  ];
  return (
    parts.join(', ') +
    (details.length > 0 ? ` (${details.join(', ')})` : '') +
    (holder.command ? `, command: ${holder.command}` : '')
  );
}
