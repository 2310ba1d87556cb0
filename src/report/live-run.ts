/**
 * Who holds the run lock right now, judged exactly as a starting run would judge it (same reading
 * of the file, same pid and kernel start-time checks), so `report`, `doctor` and `clear-history`
 * agree with `run` on "is a run going". Read-only: unlike acquiring, it never recovers or moves a
 * stale lock.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { staleReason } from '../runtime/liveness.js';
import { readLockText, type LockHolder } from '../runtime/lock-record.js';
import { errorCode } from '../util/errors.js';

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
  | { kind: 'stale'; runId: string | null; reason: string }
  /** Written by a newer version: a run of this version refuses to start (exit 2). */
  | { kind: 'newer'; version: number };

/** A holder read only in part shows `?` for what the file no longer says. */
function liveHolder(holder: LockHolder): LiveHolder {
  return {
    runId: holder.runId ?? '?',
    pid: holder.pid,
    hostname: holder.hostname ?? hostname(),
    status: holder.status ?? '?',
    command: holder.command ?? '?',
    startedAt: holder.startedAt ?? '?',
    heartbeatAt: holder.heartbeatAt ?? '?',
  };
}

export async function readLock(lockFile: string, now: Date = new Date()): Promise<LockView> {
  let text: string;
  try {
    text = await readFile(lockFile, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'none' };
    return { kind: 'stale', runId: null, reason: 'unreadable' };
  }
  const reading = readLockText(text);
  if (reading.kind === 'newer') return { kind: 'newer', version: reading.version };
  if (reading.kind === 'unreadable') return { kind: 'stale', runId: null, reason: 'unparseable' };
  const holder: LockHolder = reading.kind === 'valid' ? reading.record : reading.holder;
  const identity = {
    pid: holder.pid,
    hostname: holder.hostname ?? hostname(),
    processStartTime: holder.processStartTime ?? null,
    heartbeatAt: holder.heartbeatAt ?? '',
  };
  const stale = staleReason(identity, hostname(), now);
  if (stale) return { kind: 'stale', runId: holder.runId ?? null, reason: stale };
  return { kind: 'live', holder: liveHolder(holder) };
}

/**
 * The run lock of the repository (`home.lockFile`); when it is free, a lock a version before this
 * one holds where `activeRunFile` points (this version's own copy there names the real lock and
 * is not one) — the same places a starting run respects.
 */
export async function readRunLock(
  home: { lockFile: string; lockProjection: string },
  now: Date = new Date(),
): Promise<LockView> {
  const view = await readLock(home.lockFile, now);
  if (view.kind === 'live' || view.kind === 'newer' || home.lockProjection === home.lockFile) return view;
  const text = await readFile(home.lockProjection, 'utf8').catch(() => undefined);
  if (text === undefined || readLockText(text).kind !== 'valid' || text.includes('"lockFile"')) return view;
  const older = await readLock(home.lockProjection, now);
  return older.kind === 'live' ? older : view;
}
