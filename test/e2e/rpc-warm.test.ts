/**
 * Warm pi processes: a `new` session starts in an idle pi process with the same launch settings
 * (pi's `new_session`) instead of a fresh one. Real pi + the scripted model server; processes are
 * counted through /proc.
 */

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPiCli } from '../../src/agent/rpc/pi-launch.js';
import type { RpcTransportOptions } from '../../src/agent/rpc/rpc-transport.js';
import { MAX_SESSIONS_PER_PROCESS } from '../../src/agent/rpc/session-pool.js';
import type { TransportEvent } from '../../src/agent/rpc/transport-events.js';
import type { Transport } from '../../src/agent/types.js';
import {
  chatMessages,
  contentText,
  type ChatMessage,
  type RecordedRequest,
  type ScriptedModelOptions,
  type ScriptedModelServer,
} from '../../src/scripted-model/index.js';
import {
  harnessChildIn,
  daemonAndForegroundScript,
  makeSandbox,
  piProcesses,
  processesMentioning,
  QUIET_WATCHDOG,
  rpcFixtures,
  turn,
  waitFor,
  type Sandbox,
} from './rpc-helpers.js';

const fixture = rpcFixtures();

interface Setup {
  sandbox: Sandbox;
  server: ScriptedModelServer;
  transport: Transport;
  events: TransportEvent[];
}

async function setup(
  script: ScriptedModelOptions['script'],
  transportOptions: Partial<RpcTransportOptions> = {},
): Promise<Setup> {
  return fixture({
    script,
    transport: { watchdog: QUIET_WATCHDOG, ...transportOptions },
  });
}

/** The request body fields these tests compare. */
function body(request: RecordedRequest | undefined): { model?: string; tools?: { function: { name: string } }[] } {
  return (request?.body ?? {}) as { model?: string; tools?: { function: { name: string } }[] };
}

function users(messages: ChatMessage[]): string[] {
  return messages.filter((m) => m.role === 'user').map((m) => contentText(m.content));
}

describe('warm pi processes (real pi)', () => {
  it('runs two new sessions in one pi process, each with its own result, and still resumes the first', async () => {
    const { sandbox, server, transport, events } = await setup([
      {
        kind: 'tool_calls',
        calls: [{ name: 'bash', arguments: { command: 'echo one > one.txt' } }],
        usage: { input: 100, output: 10 },
      },
      { kind: 'text', text: 'first answer', usage: { input: 50, output: 5 } },
      { kind: 'text', text: 'second answer', usage: { input: 7, output: 2 } },
      { kind: 'text', text: 'first again', usage: { input: 3, output: 1 } },
    ]);
    const first = await transport.runTurn(turn(sandbox, server, { prompt: 'First prompt.' }));
    expect(first).toMatchObject({ status: 'success', finalText: 'first answer', modelRequests: 2 });
    expect(first.usage).toMatchObject({ input: 150, output: 15 });
    const afterFirst = piProcesses(sandbox.runDir);
    expect(afterFirst).toHaveLength(1);

    const second = await transport.runTurn(turn(sandbox, server, { role: 'tester', prompt: 'Second prompt.' }));
    // Same process, new session: nothing of the first turn in its result, request or file.
    expect(piProcesses(sandbox.runDir)).toEqual(afterFirst);
    expect(second).toMatchObject({ status: 'success', finalText: 'second answer', modelRequests: 1, toolCalls: [] });
    expect(second.usage).toMatchObject({ input: 7, output: 2 });
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.sessionFile).not.toBe(first.sessionFile);
    expect(second.sessionFile && existsSync(second.sessionFile)).toBe(true);
    expect(second.sessionFile?.startsWith(sandbox.runDir)).toBe(true);
    const [req1, , req3] = server.completionRequests();
    expect(users(chatMessages(req3!))).toEqual(['Second prompt.']);
    // A fresh session of the same launch: same system prompt and tool set as the first.
    expect(chatMessages(req3!).find((m) => m.role === 'system')).toEqual(
      chatMessages(req1!).find((m) => m.role === 'system'),
    );
    expect(JSON.stringify(body(req3).tools)).toBe(JSON.stringify(body(req1).tools));
    expect(body(req3).model).toBe(body(req1).model);
    const secondFile = readFileSync(second.sessionFile!, 'utf8');
    expect(secondFile).toContain(second.sessionId!);
    expect(secondFile).not.toContain('First prompt.');
    expect(readFileSync(first.sessionFile!, 'utf8')).not.toContain('Second prompt.');

    // The first session's process moved on: continuing it resumes its file in a new process.
    const third = await transport.runTurn(
      turn(sandbox, server, { prompt: 'Third prompt.', session: { kind: 'continue', sessionId: first.sessionId! } }),
    );
    expect(third).toMatchObject({
      status: 'success',
      finalText: 'first again',
      sessionId: first.sessionId,
      sessionFile: first.sessionFile,
      modelRequests: 1,
    });
    expect(third.usage).toMatchObject({ input: 3, output: 1 });
    expect(users(chatMessages(server.completionRequests().at(-1)!))).toEqual(['First prompt.', 'Third prompt.']);
    const starts = events.filter((e) => e.type === 'turn_start');
    expect(starts.map((e) => e.type === 'turn_start' && e.resumed)).toEqual([false, false, true]);
    expect(piProcesses(sandbox.runDir)).toHaveLength(2);

    // Between iterations one idle process per launch key stays warm, and it hosts the next session.
    await transport.releaseSessions!();
    const kept = piProcesses(sandbox.runDir);
    expect(kept).toHaveLength(1);
    const fourth = await transport.runTurn(turn(sandbox, server, { prompt: 'Fourth prompt.' }));
    expect(fourth).toMatchObject({ status: 'success', finalText: 'done' });
    expect(piProcesses(sandbox.runDir)).toEqual(kept);
    expect(users(chatMessages(server.completionRequests().at(-1)!))).toEqual(['Fourth prompt.']);

    await transport.close();
    expect(await waitFor(() => processesMentioning(sandbox.runDir).length === 0, 5000)).toBe(true);
  });

  it('starts a separate process for other launch settings and keeps one idle process per key', async () => {
    const { sandbox, server, transport } = await setup([]);
    const a = await transport.runTurn(turn(sandbox, server));
    const b = await transport.runTurn(turn(sandbox, server, { tools: ['read', 'bash'] }));
    expect([a.status, b.status]).toEqual(['success', 'success']);
    expect(piProcesses(sandbox.runDir)).toHaveLength(2);
    const tools = server.completionRequests().map((r) => (body(r).tools ?? []).map((t) => t.function.name).sort());
    expect(tools).toEqual([
      ['bash', 'edit', 'read', 'write'],
      ['bash', 'read'],
    ]);
    // Two more sessions of each key: each reuses its key's process.
    await transport.runTurn(turn(sandbox, server));
    await transport.runTurn(turn(sandbox, server, { tools: ['read', 'bash'] }));
    expect(piProcesses(sandbox.runDir)).toHaveLength(2);
    await transport.releaseSessions!();
    expect(piProcesses(sandbox.runDir)).toHaveLength(2);
  });

  it(`retires a process after ${MAX_SESSIONS_PER_PROCESS} sessions (its memory creeps up)`, async () => {
    const { sandbox, server, transport } = await setup([]);
    await transport.runTurn(turn(sandbox, server));
    const first = piProcesses(sandbox.runDir);
    for (let i = 1; i < MAX_SESSIONS_PER_PROCESS; i++)
      expect((await transport.runTurn(turn(sandbox, server))).status).toBe('success');
    expect(piProcesses(sandbox.runDir)).toEqual(first);
    await transport.runTurn(turn(sandbox, server));
    await transport.releaseSessions!();
    const now = piProcesses(sandbox.runDir);
    expect(now).toHaveLength(1);
    expect(now).not.toEqual(first);
  });

  it('ends the tool processes of the process it keeps warm', async () => {
    const marker = `pi-harness-warm-${randomUUID()}`;
    const { sandbox, server, transport } = await setup([
      {
        kind: 'tool_calls',
        calls: [
          {
            name: 'bash',
            arguments: { command: `export MARK=${marker}; setsid sleep 300 >/dev/null 2>&1 & echo started` },
          },
        ],
      },
      { kind: 'text', text: 'left a daemon' },
    ]);
    const first = await transport.runTurn(turn(sandbox, server));
    expect(first.status).toBe('success');
    expect(processesMentioning(marker).length).toBeGreaterThan(0);
    const before = piProcesses(sandbox.runDir);
    await transport.releaseSessions!();
    expect(await waitFor(() => processesMentioning(marker).length === 0, 5000)).toBe(true);
    // pi itself survived the sweep and takes the next session.
    expect(piProcesses(sandbox.runDir)).toEqual(before);
    const next = await transport.runTurn(turn(sandbox, server));
    expect(next).toMatchObject({ status: 'success', finalText: 'done' });
    expect(piProcesses(sandbox.runDir)).toEqual(before);
  });

  it('does not reuse a process whose turn was cut by a watchdog', async () => {
    const { sandbox, server, transport } = await setup(
      [
        { kind: 'stall', seconds: 30 },
        { kind: 'text', text: 'fresh' },
      ],
      {
        watchdog: { ...QUIET_WATCHDOG, noEventTimeoutSeconds: 2 },
      },
    );
    const stalled = await transport.runTurn(turn(sandbox, server));
    expect(stalled.terminalReason).toBe('no_event_timeout');
    const next = await transport.runTurn(turn(sandbox, server));
    expect(next).toMatchObject({ status: 'success', finalText: 'fresh' });
    expect(piProcesses(sandbox.runDir)).toHaveLength(1);
  });

  it('falls back to a new process when pi does not know new_session', async () => {
    // A pi that answers new_session like an older version would: "Unknown command".
    const sandboxForShim = makeSandbox();
    fixture.defer(() => sandboxForShim.cleanup());
    const shim = join(sandboxForShim.root, 'old-pi.mjs');
    writeFileSync(
      shim,
      `import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
const pi = spawn(process.execPath, [${JSON.stringify(defaultPiCli())}, ...process.argv.slice(2)], { stdio: ['pipe', 'inherit', 'inherit'] });
pi.on('exit', (code) => process.exit(code ?? 1));
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line);
  if (command.type === 'new_session') {
    process.stdout.write(JSON.stringify({ id: command.id, type: 'response', command: 'new_session', success: false, error: 'Unknown command: new_session' }) + '\\n');
  } else pi.stdin.write(line + '\\n');
}).on('close', () => pi.stdin.end());
`,
    );
    const { sandbox, server, transport } = await setup([], { piCli: shim });
    const a = await transport.runTurn(turn(sandbox, server));
    const b = await transport.runTurn(turn(sandbox, server));
    const c = await transport.runTurn(
      turn(sandbox, server, { session: { kind: 'continue', sessionId: a.sessionId! } }),
    );
    expect([a.status, b.status, c.status]).toEqual(['success', 'success', 'success']);
    expect(b.sessionId).not.toBe(a.sessionId);
    // The refused switch left the first session live in its process: the continue needed no restart.
    expect(piProcesses(sandbox.runDir)).toHaveLength(2);
    expect(users(chatMessages(server.completionRequests().at(-1)!))).toEqual(['Do the task.', 'Do the task.']);
  });

  it('leaves no pi or tool process behind when the harness is SIGKILLed during a turn in a reused process', async () => {
    const marker = `pi-harness-mark-${randomUUID()}`;
    const script = [{ kind: 'text' as const, text: 'warm' }, ...daemonAndForegroundScript(marker)];
    const { sandbox, child, output } = await harnessChildIn(fixture, script, { warmup: true });

    const toolStarted = await waitFor(
      () => (output().match(/"tool_start"/g) ?? []).length === 2 && processesMentioning(marker).length >= 2,
      20_000,
    );
    expect(toolStarted, output()).toBe(true);
    expect((output().match(/"turn_end"/g) ?? []).length).toBe(1);
    expect(piProcesses(sandbox.runDir)).toHaveLength(1);

    child.kill('SIGKILL');
    const allGone = await waitFor(
      () => processesMentioning(sandbox.runDir).length === 0 && processesMentioning(marker).length === 0,
      5000,
    );
    expect(allGone, `left behind: ${processesMentioning(sandbox.runDir).join(',')}`).toBe(true);
  });
});
