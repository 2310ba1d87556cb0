/**
 * A sweep reads the environment only of processes started since the token's first process: every
 * process that carries the token was started after that one, and the rest of the machine (hundreds
 * of processes on a desktop) is left unread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { findGuardedPids, GUARD_ENV, rememberTokenStart } from '../../src/process/guardian.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

function tagged(token: string, command: string, args: string[]): number {
  const child = spawn(command, args, { stdio: 'ignore', env: { ...process.env, [GUARD_ENV]: token } });
  started.push(child);
  return child.pid!;
}

describe('sweeping a token', () => {
  it('finds the processes started since its first one, and passes over older ones', async () => {
    const token = randomUUID();
    // Tagged, but older than the token's first process: no process of this token can be.
    const older = tagged(token, 'sleep', ['30']);
    // /proc counts start times in clock ticks (10 ms): well apart.
    await sleep(100);
    const first = tagged(token, 'sleep', ['30']);
    rememberTokenStart(token, first);
    await sleep(100);
    const detached = tagged(token, 'setsid', ['sleep', '30']);
    await sleep(100);
    const found = findGuardedPids(token).map((process) => process.pid);
    expect(found).toContain(first);
    expect(found).toContain(detached);
    expect(found).not.toContain(older);
  });

  it('looks everywhere for a token whose first process it never saw', async () => {
    const token = randomUUID();
    const one = tagged(token, 'sleep', ['30']);
    await sleep(100);
    const two = tagged(token, 'sleep', ['30']);
    await sleep(100);
    expect(
      findGuardedPids(token)
        .map((process) => process.pid)
        .sort(),
    ).toEqual([one, two].sort());
  });
});
