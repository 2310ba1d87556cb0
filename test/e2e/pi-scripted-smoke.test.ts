/**
 * End-to-end proof that the real `pi` (RPC mode) talks to a model endpoint declared only in the
 * harness config (via preparePiAgentDir), using the scripted model server instead of a network.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { preparePiAgentDir } from '../../src/agent/pi-models.js';
import { lastMessageText, startScriptedModel, toolResults } from '../../src/scripted-model/index.js';
import type { ScriptedModelServer } from '../../src/scripted-model/index.js';

const PI_CLI = fileURLToPath(
  new URL('../../node_modules/@earendil-works/pi-coding-agent/dist/bundle/cli.js', import.meta.url),
);

type PiEvent = { type: string; [key: string]: unknown };

/** Minimal RPC client: LF-only JSONL framing (never readline: it also splits on U+2028/9). */
class PiProcess {
  readonly events: PiEvent[] = [];
  private buffer = '';
  private waiters: (() => void)[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly child: ChildProcessWithoutNullStreams;

  constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => this.onData(data));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (data: string) => (this.stderr += data));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  private onData(data: string): void {
    this.buffer += data;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim()) this.events.push(JSON.parse(line) as PiEvent);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  send(command: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  async waitFor(predicate: (event: PiEvent) => boolean, timeoutMs = 20_000): Promise<PiEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`timed out; events: ${this.events.map((e) => e.type).join(',')}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** Closing stdin is pi's orderly shutdown; SIGKILL only if it does not exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function scripted(...args: Parameters<typeof startScriptedModel>): Promise<ScriptedModelServer> {
  const server = await startScriptedModel(...args);
  cleanups.push(() => server.close());
  return server;
}

async function gitRepo(root: string): Promise<string> {
  const repo = join(root, 'repo');
  await mkdir(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  return repo;
}

function spawnPi(cwd: string, sessionDir: string, model: string, env: Record<string, string>): PiProcess {
  const child = spawn(
    process.execPath,
    [
      PI_CLI,
      '--mode',
      'rpc',
      '--session-dir',
      sessionDir,
      '--model',
      model,
      '--tools',
      'read,edit,write,find,ls,bash',
      '--no-extensions',
      '--no-skills',
      '--no-prompt-templates',
    ],
    { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const pi = new PiProcess(child);
  cleanups.push(() => pi.stop());
  return pi;
}

function assistantText(message: unknown): string {
  const content = (message as { content?: { type: string; text?: string }[] }).content ?? [];
  return content
    .filter((block) => block.type === 'text')
    .map((block) => block.text ?? '')
    .join('');
}

describe('preparePiAgentDir', () => {
  it('declares our models with key references only and returns the key in the environment', async () => {
    const runDir = await tempDir('pih-run-');
    const prepared = await preparePiAgentDir({
      runDir,
      userAgentDir: null,
      models: {
        'local/qwen/coder': {
          baseUrl: 'http://127.0.0.1:1/v1',
          apiKey: 'sk-literal-secret',
          vision: true,
          contextWindow: 32000,
        },
        'local/other': { baseUrl: 'http://127.0.0.1:2/v1', apiKey: 'sk-literal-secret', api: 'openai-responses' },
        'envkey/m': { baseUrl: 'http://127.0.0.1:3/v1', apiKeyEnv: 'MY_PROVIDER_KEY' },
        'keyless/m': { baseUrl: 'http://127.0.0.1:4/v1' },
      },
    });
    const text = await readFile(join(prepared.agentDir, 'models.json'), 'utf8');
    expect(text).not.toContain('sk-literal-secret');
    const json = JSON.parse(text) as {
      providers: Record<string, { apiKey: string; baseUrl?: string; models: Record<string, unknown>[] }>;
    };
    expect(json.providers.local?.apiKey).toBe('${PI_HARNESS_KEY_LOCAL}');
    expect(json.providers.local?.baseUrl).toBeUndefined();
    expect(json.providers.local?.models).toEqual([
      {
        id: 'qwen/coder',
        api: 'openai-completions',
        baseUrl: 'http://127.0.0.1:1/v1',
        input: ['text', 'image'],
        contextWindow: 32000,
      },
      { id: 'other', api: 'openai-responses', baseUrl: 'http://127.0.0.1:2/v1', input: ['text'] },
    ]);
    expect(json.providers.envkey?.apiKey).toBe('${MY_PROVIDER_KEY}');
    expect(json.providers.keyless?.apiKey).toBe('pi-harness-no-key');
    expect(prepared.env).toMatchObject({
      PI_CODING_AGENT_DIR: prepared.agentDir,
      PI_OFFLINE: '1',
      PI_HARNESS_KEY_LOCAL: 'sk-literal-secret',
    });
  });

  it('refuses two different keys for one provider', async () => {
    const runDir = await tempDir('pih-run-');
    await expect(
      preparePiAgentDir({
        runDir,
        userAgentDir: null,
        models: { 'p/a': { baseUrl: 'http://x/v1', apiKey: 'one' }, 'p/b': { baseUrl: 'http://x/v1', apiKey: 'two' } },
      }),
    ).rejects.toThrow(/different API keys/);
  });

  it('does not link the user auth.json when it holds a credential for one of our providers', async () => {
    const userDir = await tempDir('pih-user-');
    await writeFile(join(userDir, 'auth.json'), JSON.stringify({ scripted: { type: 'api_key', key: 'stored' } }));
    const runDir = await tempDir('pih-run-');
    const prepared = await preparePiAgentDir({
      runDir,
      userAgentDir: userDir,
      models: { 'scripted/m': { baseUrl: 'http://x/v1' } },
    });
    expect(prepared.warnings.join('\n')).toMatch(/auth\.json.*scripted/);
    await expect(lstat(join(prepared.agentDir, 'auth.json'))).rejects.toThrow();
  });
});

describe('real pi against the scripted model', () => {
  it('runs a write → bash → text script end to end', async () => {
    const root = await tempDir('pih-smoke-');
    const repo = await gitRepo(root);
    const server = await scripted({
      apiKey: 'sk-smoke-literal',
      script: [
        {
          kind: 'tool_calls',
          calls: [{ name: 'write', arguments: { path: 'notes/hello.txt', content: 'hello from pi-harness\n' } }],
        },
        { kind: 'tool_calls', calls: [{ name: 'bash', arguments: { command: 'cat notes/hello.txt' } }] },
        { kind: 'text', text: ['fini', 'shed'] },
      ],
    });
    const prepared = await preparePiAgentDir({
      runDir: join(root, 'run'),
      userAgentDir: null,
      models: { 'scripted/test-model': { baseUrl: server.baseUrl, apiKey: 'sk-smoke-literal' } },
    });
    expect(await readFile(join(prepared.agentDir, 'models.json'), 'utf8')).not.toContain('sk-smoke-literal');
    const sessionDir = join(root, 'sessions');
    const pi = spawnPi(repo, sessionDir, 'scripted/test-model', prepared.env);

    pi.send({ id: '1', type: 'prompt', message: 'Create notes/hello.txt and show it.' });
    expect(await pi.waitFor((e) => e.type === 'response' && e.id === '1')).toMatchObject({ success: true });
    await pi.waitFor((e) => e.type === 'agent_settled');

    expect(await readFile(join(repo, 'notes/hello.txt'), 'utf8')).toBe('hello from pi-harness\n');
    expect(server.requests).toHaveLength(3);
    expect(server.requests.every((r) => r.auth.matched === true)).toBe(true);
    const [first, second, third] = server.requests;
    expect(lastMessageText(first!, 'user')).toContain('Create notes/hello.txt and show it.');
    expect(toolResults(second!)).toEqual([
      { toolCallId: 'call_0_0', text: expect.stringContaining('notes/hello.txt') },
    ]);
    expect(toolResults(third!).at(-1)).toEqual({
      toolCallId: 'call_1_0',
      text: expect.stringContaining('hello from pi-harness'),
    });

    const assistantEnds = pi.events.filter(
      (e) => e.type === 'message_end' && (e.message as { role: string }).role === 'assistant',
    );
    expect(assistantEnds).toHaveLength(3);
    expect(assistantText(assistantEnds.at(-1)?.message)).toBe('finished');
    // Usage per model request is on message_end.message.usage and equals what the server reported.
    const piUsage = assistantEnds.map(
      (e) => (e.message as { usage: { input: number; output: number; cacheRead: number } }).usage,
    );
    expect(piUsage.map(({ input, output, cacheRead }) => ({ input, output, cacheRead }))).toEqual(
      server.requests.map((r) => r.usage),
    );
    const toolEnds = pi.events.filter((e) => e.type === 'tool_execution_end');
    expect(toolEnds.map((e) => [e.toolName, e.isError])).toEqual([
      ['write', false],
      ['bash', false],
    ]);

    pi.send({ id: '2', type: 'get_state' });
    const state = (await pi.waitFor((e) => e.type === 'response' && e.id === '2')).data as {
      sessionId: string;
      sessionFile: string;
    };
    expect(state.sessionFile.startsWith(sessionDir)).toBe(true);
    expect(state.sessionFile.endsWith(`_${state.sessionId}.jsonl`)).toBe(true);

    await pi.stop();
    expect(await pi.exited).toBe(0);
    expect((await readFile(state.sessionFile, 'utf8')).split('\n')[0]).toContain(`"id":"${state.sessionId}"`);
  });

  it("keeps the user's own models.json provider usable without copying its literal key", async () => {
    const root = await tempDir('pih-user-');
    const repo = await gitRepo(root);
    const userServer = await scripted({
      apiKey: 'user-literal-key',
      modelId: 'their-model',
      script: [{ kind: 'text', text: 'from the user provider' }],
    });
    const ourServer = await scripted({ script: [] });
    const userDir = join(root, 'user-agent');
    await mkdir(userDir);
    await writeFile(
      join(userDir, 'models.json'),
      `{
        // the user's own endpoint, with a literal key
        "providers": { "userprov": { "baseUrl": "${userServer.baseUrl}", "api": "openai-completions",
          "apiKey": "user-literal-key", "models": [{ "id": "their-model" }], } }
      }`,
    );
    await writeFile(
      join(userDir, 'settings.json'),
      JSON.stringify({ packages: ['npm:some-pi-package'], steeringMode: 'all' }),
    );
    await writeFile(
      join(userDir, 'auth.json'),
      JSON.stringify({ elsewhere: { type: 'api_key', key: '$ELSEWHERE_KEY' } }),
    );

    const prepared = await preparePiAgentDir({
      runDir: join(root, 'run'),
      userAgentDir: userDir,
      models: { 'scripted/test-model': { baseUrl: ourServer.baseUrl } },
    });
    expect(prepared.warnings).toEqual([]);
    expect(await readFile(join(prepared.agentDir, 'models.json'), 'utf8')).not.toContain('user-literal-key');
    expect(await readlink(join(prepared.agentDir, 'auth.json'))).toBe(join(userDir, 'auth.json'));
    const settings = JSON.parse(await readFile(join(prepared.agentDir, 'settings.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(settings).toEqual({ steeringMode: 'all' });

    const pi = spawnPi(repo, join(root, 'sessions'), 'userprov/their-model', prepared.env);
    pi.send({ id: '1', type: 'prompt', message: 'hello' });
    await pi.waitFor((e) => e.type === 'agent_settled');
    const end = pi.events.findLast(
      (e) => e.type === 'message_end' && (e.message as { role: string }).role === 'assistant',
    );
    expect(assistantText(end?.message)).toBe('from the user provider');
    expect(userServer.requests.map((r) => r.auth)).toEqual([{ present: true, matched: true }]);
    expect(ourServer.requests).toHaveLength(0);
  });
});
