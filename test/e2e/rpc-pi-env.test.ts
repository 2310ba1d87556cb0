/**
 * pi's own malloc settings (PI_MALLOC_ENV): pi starts with them, the guard inside it drops them, so
 * the tools it runs — and the user's tests under them — do not inherit them; a value the user set
 * is theirs and stays. Real pi + the scripted model server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PI_MALLOC_ENV } from '../../src/agent/rpc/process.js';
import { GUARD_DROP_ENV } from '../../src/process/guardian.js';
import { piProcesses, QUIET_WATCHDOG, rpcFixtures, turn } from './rpc-helpers.js';

const fixture = rpcFixtures();

/** A turn whose one tool call writes the tool's environment to env.txt, then the turn ends. */
const envScript = () => [
  { kind: 'tool_calls' as const, calls: [{ name: 'bash', arguments: { command: 'env > env.txt' } }] },
  { kind: 'text' as const, text: 'done' },
];

function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
  return Object.fromEntries(
    entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

const toolEnv = (repo: string) =>
  Object.fromEntries(
    readFileSync(join(repo, 'env.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe("pi's malloc settings (real pi)", () => {
  it('start pi with them and keep them from its tools', async () => {
    const { sandbox, server, transport } = await fixture({
      script: envScript(),
      transport: { watchdog: QUIET_WATCHDOG },
    });
    expect((await transport.runTurn(turn(sandbox, server))).status).toBe('success');
    const [pi] = piProcesses(sandbox.runDir);
    const started = environOf(pi!);
    for (const [name, value] of Object.entries(PI_MALLOC_ENV)) expect(started[name]).toBe(value);
    const tool = toolEnv(sandbox.repo);
    for (const name of [...Object.keys(PI_MALLOC_ENV), GUARD_DROP_ENV]) expect(tool[name]).toBeUndefined();
    expect(tool.PATH).toBeDefined();
  });

  it('leave a value the user set to the user, tools included', async () => {
    const { sandbox, server, transport } = await fixture({
      script: envScript(),
      transport: { watchdog: QUIET_WATCHDOG, baseEnv: { ...process.env, MALLOC_MMAP_THRESHOLD_: '65536' } },
    });
    expect((await transport.runTurn(turn(sandbox, server))).status).toBe('success');
    const tool = toolEnv(sandbox.repo);
    expect(tool.MALLOC_MMAP_THRESHOLD_).toBe('65536');
    expect(tool.MALLOC_TRIM_THRESHOLD_).toBeUndefined();
  });
});
