/**
 * `pi-harness doctor` end to end, in-process: real git repos, the real pi, and the scripted model
 * server standing in for a model endpoint.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedModel } from '../../src/scripted-model/index.js';
import type { ScriptedModelServer } from '../../src/scripted-model/index.js';
import { cli } from '../helpers/cli.js';
import { makeRepo, writeFiles } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

const MODEL = 'scripted/test-model';
const KEY = 'sk-doctor-secret-value';
const TASKS = '# Work\n\n- [x] set up\n- [ ] add the parser\n';

const servers: ScriptedModelServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function server(apiKey?: string): Promise<ScriptedModelServer> {
  const started = await startScriptedModel({ script: [], ...(apiKey ? { apiKey } : {}) });
  servers.push(started);
  return started;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A committed repo with a task file and `config` as pi.config.json. */
async function repoWith(config: Record<string, unknown>, files: Record<string, string> = {}): Promise<string> {
  return makeRepo({ 'TODOS.md': TASKS, 'pi.config.json': `${JSON.stringify(config, null, 2)}\n`, ...files });
}

/** The environment doctor sees: a PATH, and an empty pi agent dir so the user's own never leaks in. */
async function environment(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, PI_CODING_AGENT_DIR: await tempDir('pi-agent-'), ...extra };
}

function endpointConfig(baseUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    piModel: MODEL,
    testCommand: 'node --version',
    models: { [MODEL]: { baseUrl, apiKeyEnv: 'SCRIPTED_KEY' } },
    ...extra,
  };
}

function line(stdout: string, title: string): string {
  return stdout.split('\n').find((text) => text.slice(2).startsWith(title)) ?? `(no line for ${title})`;
}

describe('pi-harness doctor', () => {
  it('passes a ready repo: endpoint up, key accepted, model listed — and never prints the key', async () => {
    const model = await server(KEY);
    const repo = await repoWith(endpointConfig(model.baseUrl));
    const result = await cli(['doctor'], { cwd: repo, env: await environment({ SCRIPTED_KEY: KEY }) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(line(result.stdout, 'model (all roles)')).toBe(
      `✓ model (all roles)       ${MODEL}: ${model.baseUrl}/models lists test-model (key from SCRIPTED_KEY)`,
    );
    expect(line(result.stdout, 'task file')).toContain('TODOS.md: 1 open, 1 done; next: add the parser');
    expect(line(result.stdout, 'pi CLI')).toMatch(/^✓ pi CLI\s+pi \d+\.\d+\.\d+/);
    expect(result.stdout).toContain('ready: every check passed');
    expect(result.stdout).not.toContain(KEY);
    expect(model.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/models']);
    expect(model.requests[0]!.auth).toEqual({ present: true, matched: true });
  });

  it('exits 4 on an unreachable endpoint, naming the model, the URL and the setting to fix', async () => {
    const port = await closedPort();
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const repo = await repoWith(endpointConfig(baseUrl));
    const result = await cli(['doctor'], { cwd: repo, env: await environment({ SCRIPTED_KEY: KEY }) });
    expect(result.code).toBe(4);
    const lines = result.stdout.split('\n');
    const index = lines.findIndex((text) => text.startsWith('✗ model (all roles)'));
    expect(lines[index]).toContain(`${MODEL}: ${baseUrl}/models unreachable (ECONNREFUSED)`);
    expect(lines[index + 1]).toMatch(new RegExp(`^ +fix: start the server or fix models\\.${MODEL}\\.baseUrl$`));
    expect(result.stdout).toMatch(/not ready: 1 check failed \(model \(all roles\)\)/);
  });

  it('fails when the apiKeyEnv variable is unset, naming the variable but no value', async () => {
    const model = await server(KEY);
    const repo = await repoWith(endpointConfig(model.baseUrl));
    const result = await cli(['doctor'], { cwd: repo, env: await environment() });
    expect(result.code).toBe(4);
    expect(line(result.stdout, 'model (all roles)')).toContain(
      'API key variable SCRIPTED_KEY is not set (models.scripted/test-model.apiKeyEnv)',
    );
    expect(result.stdout).toContain('fix: export SCRIPTED_KEY=<the key for');
  });

  it('fails when the endpoint rejects the key', async () => {
    const model = await server(KEY);
    const repo = await repoWith(endpointConfig(model.baseUrl));
    const result = await cli(['doctor'], { cwd: repo, env: await environment({ SCRIPTED_KEY: 'sk-wrong-value' }) });
    expect(result.code).toBe(4);
    expect(line(result.stdout, 'model (all roles)')).toContain(
      `${model.baseUrl}/models rejected the API key (HTTP 401)`,
    );
    expect(result.stdout).toContain('check the key in SCRIPTED_KEY');
    expect(result.stdout).not.toContain('sk-wrong-value');
  });

  it('warns (exit 0) when the endpoint does not list the model id, showing what it serves', async () => {
    const model = await server();
    const repo = await repoWith({
      piModel: 'scripted/other-model',
      testCommand: 'node --version',
      models: { 'scripted/other-model': { baseUrl: model.baseUrl } },
    });
    const result = await cli(['doctor'], { cwd: repo, env: await environment() });
    expect(result.code).toBe(0);
    expect(line(result.stdout, 'model (all roles)')).toMatch(
      /^! .*does not list other-model \(it serves: test-model\)/,
    );
    expect(result.stdout).toContain('ready, with 1 warning');
  });

  it('fails on a missing task file and points at init', async () => {
    const model = await server();
    const repo = await makeRepo({
      'pi.config.json': JSON.stringify({
        piModel: MODEL,
        testCommand: 'true',
        models: { [MODEL]: { baseUrl: model.baseUrl } },
      }),
    });
    const result = await cli(['doctor'], { cwd: repo, env: await environment() });
    expect(result.code).toBe(4);
    expect(line(result.stdout, 'task file')).toBe('✗ task file               TODOS.md not found (taskFile)');
    expect(result.stdout).toContain('pi-harness init');
  });

  it('warns when there is nothing to do', async () => {
    const model = await server();
    const repo = await repoWith(
      { piModel: MODEL, testCommand: 'true', models: { [MODEL]: { baseUrl: model.baseUrl } } },
      { 'TODOS.md': '- [x] all done\n' },
    );
    const result = await cli(['doctor'], { cwd: repo, env: await environment() });
    expect(result.code).toBe(0);
    expect(line(result.stdout, 'task file')).toContain('! task file');
    expect(line(result.stdout, 'task file')).toContain('nothing to do');
  });

  it('fails on a dirty tree with the hint, and only warns under allowDirty', async () => {
    const model = await server();
    const config = { piModel: MODEL, testCommand: 'true', models: { [MODEL]: { baseUrl: model.baseUrl } } };
    const repo = await repoWith(config);
    await writeFiles(repo, { 'notes.txt': 'scratch\n', '.pi-harness/state.json': '{}' });
    const dirty = await cli(['doctor'], { cwd: repo, env: await environment() });
    expect(dirty.code).toBe(4);
    expect(line(dirty.stdout, 'working tree')).toContain('1 uncommitted change: notes.txt'); // its own runtime dir does not count
    expect(dirty.stdout).toContain('fix: commit or stash them (`git stash -u`), or set "allowDirty": true');

    const allowed = await cli(['doctor'], { cwd: repo, env: await environment({ PI_ALLOW_DIRTY: 'true' }) });
    expect(allowed.code).toBe(0);
    expect(line(allowed.stdout, 'working tree')).toMatch(/^! working tree .*allowDirty is set/);
  });

  it('--json prints one document with every check', async () => {
    const port = await closedPort();
    const repo = await repoWith(endpointConfig(`http://127.0.0.1:${port}/v1`), {});
    const result = await cli(['doctor', '--json'], { cwd: repo, env: await environment({ SCRIPTED_KEY: KEY }) });
    expect(result.code).toBe(4);
    const document = JSON.parse(result.stdout) as {
      ok: boolean;
      verdict: string;
      repoRoot: string;
      configFile: string;
      checks: { id: string; title: string; status: string; detail: string; fix?: string }[];
    };
    expect(document).toMatchObject({ ok: false, repoRoot: repo, configFile: path.join(repo, 'pi.config.json') });
    expect(document.verdict).toMatch(/^not ready/);
    expect(document.checks.map((check) => check.id)).toEqual([
      'config',
      'git',
      'lock',
      'worktree',
      'task-file',
      'instructions:developer',
      'instructions:tester',
      'node',
      'pi',
      `model:${MODEL}`,
      'test-command',
    ]);
    for (const check of document.checks) {
      expect(Object.keys(check).sort()).toEqual(
        check.fix === undefined ? ['detail', 'id', 'status', 'title'] : ['detail', 'fix', 'id', 'status', 'title'],
      );
      expect(['ok', 'warn', 'fail']).toContain(check.status);
    }
    expect(document.checks.find((check) => check.id === `model:${MODEL}`)).toMatchObject({ status: 'fail' });
  });

  it('asks pi about models not declared in "models", honouring PI_CODING_AGENT_DIR', async () => {
    const model = await server();
    const agentDir = await tempDir('pi-agent-');
    const providers = {
      mine: { baseUrl: model.baseUrl, api: 'openai-completions', apiKey: 'local', models: [{ id: 'test-model' }] },
    };
    await writeFile(path.join(agentDir, 'models.json'), JSON.stringify({ providers }));
    const repo = await repoWith({
      piModel: 'mine/test-model',
      roleModels: { tester: 'nowhere/thing' },
      testCommand: 'true',
    });
    const result = await cli(['doctor'], {
      cwd: repo,
      env: { ...(await environment()), PI_CODING_AGENT_DIR: agentDir },
    });
    expect(line(result.stdout, 'model (developer, developerRetry, developerFix, testerCommit)')).toContain(
      `✓ model (developer, developerRetry, developerFix, testerCommit)  mine/test-model: resolved by pi from its configuration (${agentDir})`,
    );
    expect(line(result.stdout, 'model (tester)')).toMatch(
      /^✗ model \(tester\) +nowhere\/thing: pi does not know provider nowhere/,
    );
    expect(result.code).toBe(4);
  });

  it('fails outside a git repository and on an unborn branch', async () => {
    const plain = await tempDir();
    await writeFile(path.join(plain, 'TODOS.md'), TASKS);
    const outside = await cli(['doctor'], { cwd: plain, env: await environment({ PI_TRANSPORT: 'mock' }) });
    expect(outside.code).toBe(4);
    expect(line(outside.stdout, 'git repository')).toContain(`${plain} is not inside a git work tree`);

    const unborn = await tempDir();
    await mkdir(path.join(unborn, 'sub'));
    const { gitSync } = await import('../helpers/git-repo.js');
    gitSync(unborn, 'init', '-q', '-b', 'main');
    const fresh = await cli(['doctor'], { cwd: unborn, env: await environment({ PI_TRANSPORT: 'mock' }) });
    expect(fresh.code).toBe(4);
    expect(line(fresh.stdout, 'git repository')).toContain('branch main has no commit yet (an unborn branch)');
    expect(fresh.stdout).toContain('git add -A && git commit -m "Initial commit"');
  });

  it("checks the test command's program and npm script without running it", async () => {
    const missing = await repoWith({ transport: 'mock', testCommand: 'definitely-not-a-tool --fast' });
    const result = await cli(['doctor'], { cwd: missing, env: await environment() });
    expect(result.code).toBe(4);
    expect(line(result.stdout, 'test command')).toContain(
      '`definitely-not-a-tool --fast`: definitely-not-a-tool is not on PATH',
    );

    const placeholder = await repoWith(
      { transport: 'mock', testCommand: 'npm test' },
      { 'package.json': JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }) },
    );
    const npm = await cli(['doctor'], { cwd: placeholder, env: await environment() });
    expect(npm.code).toBe(4);
    expect(line(npm.stdout, 'test command')).toContain("npm's placeholder");

    const empty = await repoWith({ transport: 'mock' });
    const skipped = await cli(['doctor'], { cwd: empty, env: await environment() });
    expect(skipped.code).toBe(0);
    expect(line(skipped.stdout, 'test command')).toContain('verification is skipped');
  });

  it('a configuration error still exits 2', async () => {
    const repo = await repoWith({ commitMode: 'yolo' });
    const result = await cli(['doctor'], { cwd: repo, env: await environment() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('commitMode');
  });
});
