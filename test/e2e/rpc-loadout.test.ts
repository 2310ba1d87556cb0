/**
 * Per-turn loadouts with the real pi: the harness's extension gives each session its tools and
 * system prompt, so one warm pi hosts every role. Checked on the request bodies the scripted model
 * receives, and on what a refused tool call leaves behind (nothing).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RpcTransportOptions } from '../../src/agent/rpc/rpc-transport.js';
import {
  chatMessages,
  contentText,
  toolResults,
  type RecordedRequest,
  type ScriptStep,
} from '../../src/scripted-model/index.js';
import { processesMentioning, rpcFixtures, turn } from './rpc-helpers.js';

const fixture = rpcFixtures();

const OFFERED = ['read', 'bash', 'edit', 'write', 'ls'];
const SYSTEM = 'Harness system prompt for the test.\n';

const loadouts: Partial<RpcTransportOptions> = {
  toolUniverse: ['read', 'edit', 'write', 'find', 'ls', 'bash'],
  compactTools: true,
};

function systemOf(request: RecordedRequest | undefined): string {
  if (!request) return '';
  return chatMessages(request)
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => contentText(m.content))
    .join('\n');
}

function toolsOf(request: RecordedRequest | undefined): { name: string; description: string }[] {
  const tools = ((request?.body ?? {}) as { tools?: { function: { name: string; description: string } }[] }).tools;
  return (tools ?? []).map((tool) => tool.function);
}

const write = (path: string, content: string): ScriptStep => ({
  kind: 'tool_calls',
  calls: [{ name: 'write', arguments: { path, content } }],
});

/** pi processes of this sandbox (pi renames itself "pi"; its tools are other processes). */
function piCount(runDir: string): number {
  return processesMentioning(runDir).length;
}

describe('per-turn loadouts (real pi)', () => {
  it("gives a session the harness's system prompt, the offered tools in order, compact texts", async () => {
    const { sandbox, server, transport } = await fixture({
      script: [{ kind: 'text', text: 'done' }],
      transport: loadouts,
    });
    const result = await transport.runTurn(
      turn(sandbox, server, { tools: OFFERED, offeredTools: OFFERED, systemPrompt: SYSTEM }),
    );
    expect(result).toMatchObject({ status: 'success', finalText: 'done' });
    const [request] = server.completionRequests();
    expect(systemOf(request)).toBe(SYSTEM);
    expect(toolsOf(request).map((tool) => tool.name)).toEqual(OFFERED);
    const read = toolsOf(request).find((tool) => tool.name === 'read')!;
    expect(read.description).toMatch(/^Read a file \(text, or an image as an attachment\); use this, not cat or sed/);
    // No loadout command or JSON ever reaches the model.
    expect(JSON.stringify(request?.body)).not.toContain('pi-harness-loadout');
  });

  it('refuses a call to an offered tool outside the role’s own set: the file is not written', async () => {
    const { sandbox, server, transport } = await fixture({
      script: [write('notes.txt', 'a tester fixing things\n'), { kind: 'text', text: 'VERDICT: PASS' }],
      transport: loadouts,
    });
    const result = await transport.runTurn(
      turn(sandbox, server, { role: 'tester', tools: ['read', 'bash'], offeredTools: OFFERED, systemPrompt: SYSTEM }),
    );
    expect(result.status).toBe('success');
    expect(result.toolErrors).toBe(1);
    expect(existsSync(join(sandbox.repo, 'notes.txt'))).toBe(false);
    const second = server.completionRequests()[1]!;
    expect(toolResults(second)[0]?.text).toContain('This turn may not use write (its tools: read, bash)');
    // The tester is offered the developer's list: a prefix cache keeps it across the roles.
    expect(toolsOf(second).map((tool) => tool.name)).toEqual(OFFERED);
  });

  it('hosts a developer and then a tester session in one warm pi, each under its own loadout', async () => {
    const { sandbox, server, transport } = await fixture({
      script: [
        write('a.txt', 'dev\n'),
        { kind: 'text', text: 'wrote it' },
        write('b.txt', 'tester\n'),
        { kind: 'text', text: 'no' },
      ],
      transport: loadouts,
    });
    const developer = await transport.runTurn(
      turn(sandbox, server, { tools: OFFERED, offeredTools: OFFERED, systemPrompt: SYSTEM }),
    );
    expect(developer.toolErrors).toBe(0);
    const processes = piCount(sandbox.runDir);
    const tester = await transport.runTurn(
      turn(sandbox, server, { role: 'tester', tools: ['read', 'bash'], offeredTools: OFFERED, systemPrompt: SYSTEM }),
    );
    expect(tester.sessionId).not.toBe(developer.sessionId);
    expect(tester.toolErrors).toBe(1);
    expect(piCount(sandbox.runDir)).toBe(processes);
    expect(existsSync(join(sandbox.repo, 'a.txt'))).toBe(true);
    expect(existsSync(join(sandbox.repo, 'b.txt'))).toBe(false);
    const requests = server.completionRequests();
    expect(systemOf(requests[2])).toBe(SYSTEM);
  });

  it("keeps the project's AGENTS.md after the harness's prompt, and pi's own prompt when none is given", async () => {
    const { sandbox, server, transport } = await fixture({
      script: [
        { kind: 'text', text: 'one' },
        { kind: 'text', text: 'two' },
      ],
      transport: loadouts,
    });
    writeFileSync(join(sandbox.repo, 'AGENTS.md'), 'Always run make lint.\n');
    await transport.runTurn(turn(sandbox, server, { tools: OFFERED, offeredTools: OFFERED, systemPrompt: SYSTEM }));
    await transport.runTurn(turn(sandbox, server, { tools: ['read', 'bash'], offeredTools: ['read', 'bash'] }));
    const [harness, pi] = server.completionRequests();
    expect(systemOf(harness)).toMatch(
      /^Harness system prompt for the test\.\n\nProject instructions from .*AGENTS\.md:\n\nAlways run make lint\.\n$/,
    );
    expect(systemOf(pi)).toMatch(/operating inside pi/);
    expect(systemOf(pi)).toContain('Always run make lint.');
    expect(toolsOf(pi).map((tool) => tool.name)).toEqual(['read', 'bash']);
  });
});
