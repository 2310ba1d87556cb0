/**
 * Is a lock's holder still there? A pid alone is not enough: pids are recycled, so the holder's
 * kernel start time is compared too. Linux-specific where /proc exists; elsewhere only the pid is
 * checked.
 */
import { readFileSync } from 'node:fs';
import { errorCode } from '../util/errors.js';

/** The identity of a holder as the lock file records it. */
export interface HolderIdentity {
  pid: number;
  hostname: string;
  processStartTime: number | null;
  heartbeatAt: string;
}

export type StaleReason = 'process-gone' | 'pid-reused' | 'foreign-host-silent' | 'unparseable';

/** Field 22 of /proc/<pid>/stat; null when the process or /proc is not there. */
export function readProcessStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]); // fields[0] is field 3
    return Number.isSafeInteger(value) ? value : null;
  } catch {
    return null;
  }
}

function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return undefined;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // exists, owned by someone else
  }
}

const FOREIGN_HOST_STALE_MS = 15 * 60_000;

/** Why the holder no longer holds the lock, or undefined while it does. */
export function staleReason(
  holder: HolderIdentity,
  host: string,
  now: Date,
  foreignHostStaleMs = FOREIGN_HOST_STALE_MS,
): StaleReason | undefined {
  if (holder.hostname !== host) {
    // Another machine's pids mean nothing here; only a long-silent heartbeat says it is gone.
    const age = now.getTime() - Date.parse(holder.heartbeatAt);
    return Number.isNaN(age) || age > foreignHostStaleMs ? 'foreign-host-silent' : undefined;
  }
  if (!pidExists(holder.pid)) return 'process-gone';
  const state = processState(holder.pid);
  if (state === 'Z' || state === 'X') return 'process-gone';
  if (holder.processStartTime !== null) {
    const current = readProcessStartTime(holder.pid);
    if (current !== null && current !== holder.processStartTime) return 'pid-reused';
  }
  return undefined;
}
