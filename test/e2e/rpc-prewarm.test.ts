/**
 * pi started ahead of its turn (`prewarm`): the turn with the same launch settings runs in that
 * process, in the session it started with; nothing is started twice, a failed start is reported by
 * the turn instead of being tried again, and a SIGKILLed harness leaves no prewarmed pi behind.
 * Once a process has run turns, `prewarm` moves it on to its next session ahead of the turn.
 * Real pi + the scripted model server; processes are counted through /proc.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { defaultPiCli } from '../../src/agent/rpc/pi-launch.js';
import { PiProcess } from '../../src/agent/rpc/process.js';
import type { RpcTransportOptions } from '../../src/agent/rpc/rpc-transport.js';
import type { ScriptedModelOptions } from '../../src/scripted-model/index.js';
import {
  harnessChildIn,
  makeSandbox,
  piProcesses,
  processesMentioning,
  QUIET_WATCHDOG,
  rpcFixtures,
  turn,
  waitFor,
} from './rpc-helpers.js';

const fixture = rpcFixtures();

function setup(script: ScriptedModelOptions['script'], transportOptions: Partial<RpcTransportOptions> = {}) {
  return fixture({ script, transport: { watchdog: QUIET_WATCHDOG, ...transportOptions } });
}

/** A pi that logs each start to `log` before it runs (or, with `fail`, instead of running). */
function countingPi(dir: string, log: string, fail = false): string {
  const shim = join(dir, 'counting-pi.mjs');
  const run = fail
    ? `process.stderr.write('this pi cannot start\\n'); process.exit(3);`
    : `const pi = spawn(process.execPath, [${JSON.stringify(defaultPiCli())}, ...process.argv.slice(2)], { stdio: 'inherit' });
pi.on('exit', (code) => process.exit(code ?? 1));`;
  writeFileSync(
    shim,
    `import { appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
appendFileSync(${JSON.stringify(log)}, 'start\\n');
${run}
`,
  );
  return shim;
}

const starts = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);

describe('pi started ahead of its turn (real pi)', () => {
  it('runs the turn in the prewarmed process, in its launch session, and starts nothing twice', async () => {
    const { sandbox, server, transport } = await setup([{ kind: 'text', text: 'ready' }]);
    const request = turn(sandbox, server, { prompt: 'The first prompt.' });
    transport.prewarm!(request);
    transport.prewarm!(request);
    expect(await waitFor(() => piProcesses(sandbox.runDir).length === 1, 20_000)).toBe(true);
    const [warm] = piProcesses(sandbox.runDir);
    // Asked again while it starts or once it runs: still one.
    transport.prewarm!(request);

    const result = await transport.runTurn(request);
    expect(result).toMatchObject({ status: 'success', finalText: 'ready', modelRequests: 1 });
    expect(piProcesses(sandbox.runDir)).toEqual([warm]);
    expect(readFileSync(result.sessionFile!, 'utf8')).toContain('The first prompt.');
    // Once a turn ran in it, the process is an ordinary warm one: prewarming starts nothing more.
    transport.prewarm!(request);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(piProcesses(sandbox.runDir)).toEqual([warm]);

    await transport.close();
    expect(await waitFor(() => processesMentioning(sandbox.runDir).length === 0, 5000)).toBe(true);
  });

  it('moves an idle process on to its next session ahead of the turn; the session it left can still be continued', async () => {
    const { sandbox, server, transport } = await setup([
      { kind: 'text', text: 'one' },
      { kind: 'text', text: 'two' },
      { kind: 'text', text: 'three' },
    ]);
    const first = await transport.runTurn(turn(sandbox, server, { prompt: 'The first prompt.' }));
    expect(first.status).toBe('success');
    const [warm] = piProcesses(sandbox.runDir);
    const sent: string[] = [];
    const request = PiProcess.prototype.request;
    const spy = vi.spyOn(PiProcess.prototype, 'request').mockImplementation(function (this: PiProcess, ...args) {
      sent.push(args[0].type);
      return request.apply(this, args) as ReturnType<typeof request>;
    });
    fixture.defer(() => spy.mockRestore());
    transport.prewarm!(turn(sandbox, server));
    // The switch: a new session, then its state checked.
    expect(await waitFor(() => sent.includes('get_state'), 10_000)).toBe(true);
    expect(sent).toEqual(['new_session', 'get_state']);
    sent.length = 0;

    const second = await transport.runTurn(turn(sandbox, server, { prompt: 'The second prompt.' }));
    expect(second).toMatchObject({ status: 'success', finalText: 'two' });
    expect(sent).not.toContain('new_session');
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(piProcesses(sandbox.runDir)).toEqual([warm]);

    const again = await transport.runTurn(
      turn(sandbox, server, {
        prompt: 'The third prompt.',
        session: { kind: 'continue', sessionId: first.sessionId! },
      }),
    );
    expect(again).toMatchObject({ status: 'success', finalText: 'three', sessionId: first.sessionId });
    expect(readFileSync(again.sessionFile!, 'utf8')).toContain('The first prompt.');
    await transport.close();
  });

  it('starts a process per launch setting, and a turn with other settings does not take the prewarmed one', async () => {
    const shimDir = makeSandbox();
    fixture.defer(() => shimDir.cleanup());
    const log = join(shimDir.root, 'starts.log');
    const { sandbox, server, transport } = await setup([], { piCli: countingPi(shimDir.root, log) });
    transport.prewarm!(turn(sandbox, server));
    const other = await transport.runTurn(turn(sandbox, server, { tools: ['read'] }));
    expect(other.status).toBe('success');
    const mine = await transport.runTurn(turn(sandbox, server));
    expect(mine.status).toBe('success');
    expect(starts(log)).toBe(2);
    // Each turn ran with its own tools: the read-only turn did not take the process started for all four.
    const tools = server
      .completionRequests()
      .map((r) =>
        ((r.body as { tools?: { function: { name: string } }[] }).tools ?? []).map((t) => t.function.name).sort(),
      );
    expect(tools).toEqual([['read'], ['bash', 'edit', 'read', 'write']]);
    await transport.close();
  });

  it('reports a failed start through the turn that needed it, without starting pi again', async () => {
    const shimDir = makeSandbox();
    fixture.defer(() => shimDir.cleanup());
    const log = join(shimDir.root, 'starts.log');
    const { sandbox, server, transport } = await setup([], { piCli: countingPi(shimDir.root, log, true) });
    transport.prewarm!(turn(sandbox, server));
    const result = await transport.runTurn(turn(sandbox, server));
    expect(result).toMatchObject({ status: 'failed', terminalReason: 'process_exit' });
    expect(result.detail).toContain('this pi cannot start');
    expect(starts(log)).toBe(1);
    // The next turn tries again: a failure is reported once, not remembered for ever.
    expect((await transport.runTurn(turn(sandbox, server))).status).toBe('failed');
    expect(starts(log)).toBe(2);
  });

  it('leaves no prewarmed pi behind when the harness is SIGKILLed before any turn', async () => {
    const { sandbox, child, output } = await harnessChildIn(fixture, [], { prewarmOnly: true });
    expect(await waitFor(() => piProcesses(sandbox.runDir).length === 1, 20_000), output()).toBe(true);

    child.kill('SIGKILL');
    const allGone = await waitFor(() => processesMentioning(sandbox.runDir).length === 0, 5000);
    expect(allGone, `left behind: ${processesMentioning(sandbox.runDir).join(',')}`).toBe(true);
  });
});
