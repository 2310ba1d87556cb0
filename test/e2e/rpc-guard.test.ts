/**
 * The guard that keeps pi's processes from outliving the harness, in both of its forms: preloaded
 * into pi (the installed pi is a Node script) and as a guardian process beside a pi that is any
 * other executable. Real pi, real SIGKILLs; every process is found through /proc.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPiCli } from '../../src/agent/rpc/pi-launch.js';
import {
  harnessChildIn,
  daemonAndForegroundScript,
  makeSandbox,
  processesMentioning,
  rpcFixtures,
  turn,
  waitFor,
} from './rpc-helpers.js';

const fixture = rpcFixtures();

const commandOf = (pid: number): string[] => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
  } catch {
    return [];
  }
};

const isGuardian = (pid: number) => commandOf(pid).some((arg) => /guardian\.(js|ts)$/.test(arg));

/**
 * A harness child whose agent leaves a daemon and a foreground command running (both carry a marker),
 * stopped once both are up; `sigkill` then kills the harness and says whether nothing was left.
 */
async function harnessWithDaemons(piCli?: string) {
  const marker = `pi-harness-mark-${randomUUID()}`;
  const { sandbox, child, output } = await harnessChildIn(
    fixture,
    daemonAndForegroundScript(marker),
    piCli ? { piCli } : {},
  );
  const started = await waitFor(
    () => (output().match(/"tool_start"/g) ?? []).length === 2 && processesMentioning(marker).length >= 2,
    20_000,
  );
  expect(started, output()).toBe(true);
  const sigkill = async () => {
    child.kill('SIGKILL');
    const allGone = await waitFor(
      () => processesMentioning(sandbox.runDir).length === 0 && processesMentioning(marker).length === 0,
      6000,
    );
    expect(allGone, `left behind: ${processesMentioning(sandbox.runDir).join(',')}`).toBe(true);
  };
  return { sandbox, child, sigkill };
}

describe('the guard', () => {
  it('runs inside pi (no guardian process) and still sweeps everything when the harness is SIGKILLed', async () => {
    const { sandbox, child, sigkill } = await harnessWithDaemons();
    // One process per pi: pi itself, named "pi", with nothing else of the harness beside it.
    const harnessOwn = processesMentioning(sandbox.runDir).filter(
      (pid) => pid !== child.pid && !commandOf(pid).join(' ').includes('sleep'),
    );
    expect(harnessOwn.map((pid) => commandOf(pid)[0])).toEqual(['pi']);
    expect(harnessOwn.some(isGuardian)).toBe(false);
    await sigkill();
  });

  it('falls back to a guardian process for a pi that is no Node script, which sweeps just the same', async () => {
    const wrapperDir = makeSandbox();
    fixture.defer(() => wrapperDir.cleanup());
    const wrapper = join(wrapperDir.root, 'pi-wrapper.sh');
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${defaultPiCli()}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const { sandbox, sigkill } = await harnessWithDaemons(wrapper);
    expect(processesMentioning(sandbox.runDir).some(isGuardian)).toBe(true);
    await sigkill();
  });

  it('sweeps what a pi killed outright left behind, and ends its turn', async () => {
    const marker = `pi-harness-mark-${randomUUID()}`;
    const { sandbox, server, transport } = await fixture({ script: daemonAndForegroundScript(marker) });
    const turnDone = transport.runTurn(turn(sandbox, server, { tools: ['bash'] }));
    expect(await waitFor(() => processesMentioning(marker).length >= 2, 20_000)).toBe(true);
    const pi = processesMentioning(sandbox.runDir).find((pid) => commandOf(pid)[0] === 'pi');
    expect(pi).toBeDefined();
    // SIGKILL runs no code in pi: its guard cannot act, so the harness sweeps the tag itself.
    process.kill(pi!, 'SIGKILL');
    const result = await turnDone;
    expect(result).toMatchObject({ status: 'failed', terminalReason: 'process_exit' });
    expect(await waitFor(() => processesMentioning(marker).length === 0, 6000)).toBe(true);
  });
});
