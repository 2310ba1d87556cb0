/**
 * Who holds the run lock right now, judged exactly as a starting run would judge it (same pid and
 * kernel start-time checks), so `report` and `clear-history` agree with `run` on "is a run going".
 * Read-only: unlike acquiring, it never recovers or moves a stale lock.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { staleReason } from '../runtime/liveness.js';
import { numberField, stringField, type JsonObject } from '../util/json.js';

export interface LiveHolder {
  runId: string;
  pid: number;
  hostname: string;
  status: string;
  command: string;
  startedAt: string;
  heartbeatAt: string;
}

export type LockView =
  | { kind: 'none' }
  | { kind: 'live'; holder: LiveHolder }
  | { kind: 'stale'; runId: string | null; reason: string };

export async function readLock(lockFile: string, now: Date = new Date()): Promise<LockView> {
  let record: JsonObject;
  try {
    const value: unknown = JSON.parse(await readFile(lockFile, 'utf8'));
    if (typeof value !== 'object' || value === null) return { kind: 'stale', runId: null, reason: 'unparseable' };
    record = value as JsonObject;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'stale', runId: null, reason: 'unparseable' };
  }
  const runId = stringField(record, 'runId');
  const pid = numberField(record, 'pid');
  const host = stringField(record, 'hostname');
  const heartbeatAt = stringField(record, 'heartbeatAt');
  if (!runId || pid === undefined || host === undefined || heartbeatAt === undefined)
    return { kind: 'stale', runId: runId ?? null, reason: 'unparseable' };
  const processStartTime = numberField(record, 'processStartTime') ?? null;
  const stale = staleReason({ pid, hostname: host, processStartTime, heartbeatAt }, hostname(), now);
  if (stale) return { kind: 'stale', runId, reason: stale };
  return {
    kind: 'live',
    holder: {
      runId,
      pid,
      hostname: host,
      status: stringField(record, 'status') ?? '',
      command: stringField(record, 'command') ?? '',
      startedAt: stringField(record, 'startedAt') ?? '',
      heartbeatAt,
    },
  };
}
