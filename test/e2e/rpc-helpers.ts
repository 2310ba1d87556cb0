/** Fixtures for driving the real pi against the scripted model server. */

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createRpcTransport, type RpcTransportOptions } from '../../src/agent/rpc/rpc-transport.js';
import type { TransportEvent } from '../../src/agent/rpc/transport-events.js';
import {
  startScriptedModel,
  type ScriptedModelOptions,
  type ScriptedModelServer,
  type ScriptStep,
} from '../../src/scripted-model/index.js';
import type { Transport, TurnRequest } from '../../src/agent/types.js';
import { preparePiAgentDir, type ModelEndpoint } from '../../src/agent/pi-models.js';
import { liveProcessesMentioning } from '../../src/process/proc-scan.js';

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
  model: Partial<ModelEndpoint> = {},
): Promise<{ agentDir: string; env: Record<string, string> }> {
  const { agentDir, env } = await preparePiAgentDir({
    runDir,
    userAgentDir: null,
    models: {
      [`${PROVIDER}/${server.modelId}`]: {
        baseUrl: server.baseUrl,
        apiKey,
        contextWindow: 128000,
        maxTokens: 4096,
        ...model,
      },
    },
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

/** The live pi processes of this run (pi names itself "pi"; its guard runs inside it). */
export function piProcesses(runDir: string): number[] {
  return liveProcessesMentioning(runDir).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] === 'pi';
    } catch {
      return false;
    }
  });
}

/** A watchdog that never nudges and gives a scripted turn generous time: tests set what they probe on top. */
export const QUIET_WATCHDOG = {
  continueAfterSeconds: 0,
  toolContinueAfterSeconds: 0,
  noEventTimeoutSeconds: 20,
  toolNoEventTimeoutSeconds: 20,
  agentTimeoutSeconds: 25,
};

/**
 * Two tool processes tagged with `marker`: a daemon that left its session (pi does not know about
 * it) and a foreground command still running; then the model stalls. Both must die with the harness.
 */
export function daemonAndForegroundScript(marker: string): ScriptStep[] {
  return [
    {
      kind: 'tool_calls',
      calls: [
        {
          name: 'bash',
          arguments: { command: `export MARK=${marker}; setsid sleep 300 >/dev/null 2>&1 & echo started` },
        },
      ],
    },
    {
      kind: 'tool_calls',
      calls: [{ name: 'bash', arguments: { command: `export MARK=${marker}; sleep 301; echo after` } }],
    },
    { kind: 'stall', seconds: 60 },
  ];
}

export async function waitFor(predicate: () => boolean, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return predicate();
}

export interface RpcFixture {
  sandbox: Sandbox;
  server: ScriptedModelServer;
  transport: Transport;
  /** Transport events with the time each was emitted. */
  timedEvents: { at: number; event: TransportEvent }[];
  events: TransportEvent[];
}

export interface RpcFixtureOptions {
  script: ScriptedModelOptions['script'];
  transport?: Partial<RpcTransportOptions>;
  server?: Partial<ScriptedModelOptions>;
  /** The key the private agent dir declares (default: the server's). */
  agentKey?: string;
  /** Overrides of the declared model (e.g. a small `contextWindow`). */
  model?: Partial<ModelEndpoint>;
}

/**
 * A sandbox repo, a scripted model server and an RPC transport wired to it, all closed after
 * each test. The transport runs pi without extensions, skills or prompt templates.
 */
export function rpcFixtures(): ((options: RpcFixtureOptions) => Promise<RpcFixture>) & {
  /** Registers a cleanup of the test's own (run after the test, newest first). */
  defer: (cleanup: () => Promise<void> | void) => void;
} {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const make = async (options: RpcFixtureOptions): Promise<RpcFixture> => {
    const sandbox = makeSandbox();
    cleanups.push(() => sandbox.cleanup());
    const server = await startScriptedModel({ script: options.script, ...options.server });
    cleanups.push(() => server.close());
    const { env } = await writeAgentDir(sandbox.runDir, server, options.agentKey, options.model);
    const timedEvents: RpcFixture['timedEvents'] = [];
    const events: TransportEvent[] = [];
    const transport = createRpcTransport({
      runDir: sandbox.runDir,
      env,
      noExtensions: true,
      noSkills: true,
      noPromptTemplates: true,
      // Provider errors name the endpoint: tell the transport where the model lives.
      modelEndpoints: {
        [modelName(server)]: {
          baseUrl: server.baseUrl,
          contextWindow: options.model?.contextWindow ?? 128000,
          maxTokens: options.model?.maxTokens ?? 4096,
        },
      },
      onEvent: (event) => {
        events.push(event);
        timedEvents.push({ at: Date.now(), event });
      },
      ...options.transport,
    });
    cleanups.push(() => transport.close());
    return { sandbox, server, transport, events, timedEvents };
  };
  return Object.assign(make, { defer: (cleanup: () => Promise<void> | void) => void cleanups.push(cleanup) });
}

/**
 * A stand-in harness child (spawnHarnessChild) in a sandbox of its own, its model playing `script`;
 * `config` adds to what the child is given (warmup, prewarmOnly, piCli). All of it goes after the test.
 */
export async function harnessChildIn(
  fixture: ReturnType<typeof rpcFixtures>,
  script: ScriptedModelOptions['script'],
  config: Record<string, unknown> = {},
): Promise<{ sandbox: Sandbox; child: ChildProcess; output: () => string }> {
  const sandbox = makeSandbox();
  fixture.defer(() => sandbox.cleanup());
  const server = await startScriptedModel({ script });
  fixture.defer(() => server.close());
  const { env } = await writeAgentDir(sandbox.runDir, server);
  const base = { runDir: sandbox.runDir, repo: sandbox.repo, model: modelName(server), env };
  return { sandbox, ...spawnHarnessChild(fixture, { ...base, ...config }) };
}

/**
 * Starts test/e2e/fixtures/harness-child.ts: a separate process that drives the transport, so a
 * test can SIGKILL "the harness" and check what survives it. Killed after the test at the latest.
 */
export function spawnHarnessChild(
  fixture: ReturnType<typeof rpcFixtures>,
  config: Record<string, unknown>,
): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    ['--import', './test/e2e/fixtures/register-ts.mjs', './test/e2e/fixtures/harness-child.ts', JSON.stringify(config)],
    { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  fixture.defer(() => {
    child.kill('SIGKILL');
  });
  return { child, output: () => output };
}
