/** Fixtures for driving the real pi against the scripted model server. */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScriptedModelServer } from '../../src/scripted-model/index.js';
import type { TurnRequest } from '../../src/agent/types.js';
import { preparePiAgentDir } from '../../src/agent/pi-models.js';

export interface Sandbox {
  root: string;
  repo: string;
  runDir: string;
  cleanup(): void;
}

export function makeSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'pi-harness-rpc-'));
  const repo = join(root, 'repo');
  const runDir = join(root, 'run');
  mkdirSync(repo);
  mkdirSync(runDir);
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(join(repo, 'README.md'), '# fixture\n');
  return { root, repo, runDir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const PROVIDER = 'scripted';

/** A private pi agent dir (the product's preparePiAgentDir) declaring the scripted server. */
export async function writeAgentDir(
  runDir: string,
  server: ScriptedModelServer,
  apiKey = 'test-key',
): Promise<{ agentDir: string; env: Record<string, string> }> {
  const { agentDir, env } = await preparePiAgentDir({
    runDir,
    userAgentDir: null,
    models: { [`${PROVIDER}/${server.modelId}`]: { baseUrl: server.baseUrl, apiKey, contextWindow: 128000, maxTokens: 4096 } },
  });
  return { agentDir, env };
}

export function modelName(server: ScriptedModelServer): string {
  return `${PROVIDER}/${server.modelId}`;
}

export function turn(sandbox: Sandbox, server: ScriptedModelServer, overrides: Partial<TurnRequest> = {}): TurnRequest {
  return {
    role: 'developer',
    prompt: 'Do the task.',
    model: modelName(server),
    tools: ['read', 'bash', 'edit', 'write'],
    thinking: 'off',
    session: { kind: 'new' },
    cwd: sandbox.repo,
    ...overrides,
  };
}

export { liveProcessesMentioning as processesMentioning } from '../../src/process/proc-scan.js';

export async function waitFor(predicate: () => boolean, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return predicate();
}
