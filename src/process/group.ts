/**
 * Process-group helpers. Everything the harness starts runs in its own process group (detached),
 * so one signal reaches the command and every process it spawned: a test runner's workers, a dev
 * server a test left behind, a shell pipeline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode } from '../util/errors.js';

/** Sends `signal` to the whole group led by `pid`; false when the group is already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return false;
    throw error;
  }
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but belongs to someone else: still alive.
    return errorCode(error) === 'EPERM';
  }
}

/**
 * TERM the group, wait up to `graceMs` for it to go, then KILL it. Resolves once the group is gone
 * or, at worst, shortly after KILL (KILL cannot be ignored).
 */
export async function terminateGroup(pid: number, graceMs = 2000): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(50);
    if (!groupAlive(pid)) return;
  }
  signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && groupAlive(pid)) await sleep(25);
}
