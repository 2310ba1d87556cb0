import { chmod, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { modelGroups } from '../../src/doctor/check-models.js';
import { versionAtLeast } from '../../src/doctor/check-pi.js';
import { fetchFailureReason, listedIds, modelsUrl } from '../../src/doctor/endpoint-probe.js';
import { commandProgram, findExecutable } from '../../src/doctor/executable.js';
import { formatChecks, verdictLine } from '../../src/doctor/format.js';
import { isPlaceholderTestScript, npmScriptOf } from '../../src/doctor/npm-script.js';
import { nodeFromShebang } from '../../src/doctor/pi-launcher.js';
import { parseModelTable } from '../../src/doctor/pi-model-probe.js';
import { runPreflight } from '../../src/doctor/preflight.js';
import type { CheckResult } from '../../src/doctor/types.js';
import { gitSync, makeRepo, writeFiles } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

async function configFor(repo: string, file: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  await writeFile(path.join(repo, 'pi.config.json'), JSON.stringify(file));
  return (await loadConfig({ repoRoot: repo, cwd: repo, env })).config;
}

async function script(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, body);
  await chmod(file, 0o755);
  return file;
}

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('small pieces', () => {
  it('compares Node versions numerically', () => {
    expect(versionAtLeast('v22.19.0', '22.19.0')).toBe(true);
    expect(versionAtLeast('v22.9.0', '22.19.0')).toBe(false);
    expect(versionAtLeast('v24.1.0', '22.19.0')).toBe(true);
    expect(versionAtLeast('v20.20.2', '22.19.0')).toBe(false);
    expect(versionAtLeast('v23.0.0-pre', '22.19.0')).toBe(true);
  });

  it('finds the program a shell command starts', () => {
    expect(commandProgram('npm test')).toEqual({ program: 'npm', builtin: false });
    expect(commandProgram('CI=1 FOO=bar make check')).toEqual({ program: 'make', builtin: false });
    expect(commandProgram('"./scripts/run tests.sh" --fast')).toEqual({
      program: './scripts/run tests.sh',
      builtin: false,
    });
    expect(commandProgram('cd web && npm test')).toEqual({ program: 'cd', builtin: true });
    expect(commandProgram('$RUNNER test')?.builtin).toBe(true);
    expect(commandProgram('   ')).toBeUndefined();
  });

  it('looks programs up on the given PATH, and paths relative to the repo', async () => {
    const dir = await tempDir();
    const tool = await script(dir, 'my-tool', '#!/bin/sh\n');
    await writeFile(path.join(dir, 'not-executable'), '');
    expect(await findExecutable('my-tool', { env: { PATH: `/nonexistent:${dir}` }, cwd: '/' })).toBe(tool);
    expect(await findExecutable('my-tool', { env: { PATH: '/nonexistent' }, cwd: '/' })).toBeUndefined();
    expect(await findExecutable('./my-tool', { env: {}, cwd: dir })).toBe(tool);
    expect(await findExecutable('./not-executable', { env: {}, cwd: dir })).toBeUndefined();
  });

  it("reads the npm script a command runs and recognises npm init's placeholder", () => {
    expect(npmScriptOf('npm test')).toEqual({ runner: 'npm', script: 'test' });
    expect(npmScriptOf('pnpm run lint:ci')).toEqual({ runner: 'pnpm', script: 'lint:ci' });
    expect(npmScriptOf('bun test')).toBeUndefined(); // bun's own test runner, not a script
    expect(npmScriptOf('make test')).toBeUndefined();
    expect(isPlaceholderTestScript('echo "Error: no test specified" && exit 1')).toBe(true);
    expect(isPlaceholderTestScript('vitest run')).toBe(false);
  });

  it('works out which Node a #! line runs', () => {
    expect(nodeFromShebang('/usr/bin/env node')).toMatchObject({ kind: 'path' });
    expect(nodeFromShebang('/usr/bin/env -S node --no-warnings')).toMatchObject({ kind: 'path' });
    expect(nodeFromShebang('/opt/node22/bin/node')).toEqual({ kind: 'absolute', file: '/opt/node22/bin/node' });
    expect(nodeFromShebang('/bin/sh')).toMatchObject({ kind: 'path' });
    expect(nodeFromShebang(undefined)).toEqual({ kind: 'none' });
  });

  it('parses pi --list-models tables, and nothing from its "no models" sentence', () => {
    const table =
      'provider   model            context  max-out\nanthropic  claude-sonnet-4-5  1M  64K\nlocal      qwen/coder-7b      128K 16K\n';
    expect(parseModelTable(table)).toEqual([
      { provider: 'anthropic', id: 'claude-sonnet-4-5' },
      { provider: 'local', id: 'qwen/coder-7b' },
    ]);
    expect(parseModelTable('No models available. Use /login to log into a provider\n  /x/docs/providers.md\n')).toEqual(
      [],
    );
  });

  it('reads model ids from OpenAI, Anthropic, Google and Ollama listings', () => {
    expect(modelsUrl('http://h:1/v1/')).toBe('http://h:1/v1/models');
    expect(listedIds({ object: 'list', data: [{ id: 'a' }, { id: 'b' }] })).toEqual(['a', 'b']);
    expect(listedIds({ models: [{ name: 'models/gemini-2.5-pro' }] })).toEqual(['gemini-2.5-pro']);
    expect(listedIds({ models: [{ name: 'qwen2.5-coder:7b' }] })).toEqual(['qwen2.5-coder:7b']);
    expect(listedIds({ hello: 'world' })).toBeUndefined();
  });

  it('names the network reason a fetch failed', async () => {
    const port = await freePort();
    const error = await fetch(`http://127.0.0.1:${port}/v1/models`).catch((e: unknown) => e);
    expect(fetchFailureReason(error, 5000)).toBe('ECONNREFUSED');
    expect(fetchFailureReason(new DOMException('late', 'TimeoutError'), 5000)).toBe('no answer within 5 s');
  });
});

describe('model groups', () => {
  it('groups roles by the model modelForRole gives them, visual review only when enabled', async () => {
    const repo = await tempDir();
    const config = await configFor(repo, {
      piModel: 'local/big',
      roleModels: { tester: 'local/small', testerCommit: 'local/small' },
      visualReviewModel: 'local/eyes',
    });
    expect(modelGroups(config)).toEqual([
      { model: 'local/big', roles: ['developer', 'developerRetry', 'developerFix'] },
      { model: 'local/small', roles: ['tester', 'testerCommit'] },
    ]);
    const visual = await configFor(repo, { visualReviewEnabled: true, visualReviewModel: 'local/eyes' });
    expect(modelGroups(visual)).toEqual([
      { model: undefined, roles: ['developer', 'developerRetry', 'developerFix', 'tester', 'testerCommit'] },
      { model: 'local/eyes', roles: ['visualReview'] },
    ]);
  });
});

describe('formatting', () => {
  const checks: CheckResult[] = [
    { id: 'git', title: 'git repository', status: 'ok', detail: '/r — branch main at 1234567' },
    {
      id: 'worktree',
      title: 'working tree',
      status: 'fail',
      detail: '1 uncommitted change: a.txt',
      fix: 'commit or stash them',
    },
    {
      id: 'test-command',
      title: 'test command',
      status: 'warn',
      detail: 'testCommand is empty',
      fix: 'set testCommand',
    },
  ];

  it('prints one line per check with a symbol, and the fix indented under it', () => {
    expect(formatChecks(checks)).toBe(
      [
        '✓ git repository  /r — branch main at 1234567',
        '✗ working tree    1 uncommitted change: a.txt',
        '                  fix: commit or stash them',
        '! test command    testCommand is empty',
        '                  fix: set testCommand',
        '',
      ].join('\n'),
    );
  });

  it('sums the verdict up', () => {
    expect(verdictLine({ checks, ok: false })).toBe('not ready: 1 check failed (working tree), 1 warning');
    expect(verdictLine({ checks: [checks[0]!, checks[2]!], ok: true })).toBe('ready, with 1 warning');
    expect(verdictLine({ checks: [checks[0]!], ok: true })).toBe('ready: every check passed');
  });
});

describe('runPreflight', () => {
  it('returns every check in a fixed order; a mock transport needs neither pi nor a model', async () => {
    const repo = await makeRepo({ 'TODOS.md': '- [ ] one\n' });
    const config = await configFor(repo, { transport: 'mock', testCommand: 'true' });
    gitSync(repo, 'add', '-A');
    gitSync(repo, 'commit', '-qm', 'config');
    const result = await runPreflight(config, { env: { PATH: process.env.PATH } });
    expect(result.checks.map((check) => check.id)).toEqual([
      'config',
      'git',
      'lock',
      'worktree',
      'task-file',
      'instructions:developer',
      'instructions:tester',
      'node',
      'pi',
      'model:default',
      'test-command',
    ]);
    expect(result.ok).toBe(true);
    expect(result.checks.find((check) => check.id === 'model:default')?.detail).toContain('not needed');
  });

  it('reports the Node a #!/usr/bin/env node pi would run on, and a pi that hangs', async () => {
    const repo = await makeRepo({ 'TODOS.md': '- [ ] one\n' });
    const bin = await tempDir();
    await script(bin, 'node', '#!/bin/sh\necho v20.11.1\n');
    const pi = await script(bin, 'pi', '#!/usr/bin/env node\n');
    const hanging = await script(bin, 'pi-hangs', '#!/bin/sh\nexec sleep 30\n');
    const env = { PATH: `${bin}:/usr/bin:/bin` };

    const old = await runPreflight(await configFor(repo, { piCli: pi, piModel: 'x/y' }), {
      env,
      timeouts: { spawnMs: 3000 },
    });
    const node = old.checks.find((check) => check.id === 'node')!;
    expect(node).toMatchObject({ status: 'fail' });
    expect(node.detail).toContain('Node v20.11.1');
    expect(node.detail).toContain(path.join(bin, 'node'));
    expect(node.detail).toContain('22.19.0');

    const started = Date.now();
    const hung = await runPreflight(await configFor(repo, { piCli: hanging, piModel: 'x/y' }), {
      env,
      timeouts: { spawnMs: 500 },
    });
    expect(hung.checks.find((check) => check.id === 'pi')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('no answer within 0.5 s'),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a run takes the pi installed with pi-harness at its word; any other pi is still started', {
    timeout: 30_000,
  }, async () => {
    const repo = await makeRepo({ 'TODOS.md': '- [ ] one\n' });
    const bin = await tempDir();
    const hanging = await script(bin, 'pi-hangs', '#!/bin/sh\nexec sleep 30\n');
    const env = { PATH: process.env.PATH };
    const only = (result: Awaited<ReturnType<typeof runPreflight>>) => result.checks.find((check) => check.id === 'pi');
    const options = { env, skip: ['worktree', 'model', 'test-command'], trustBundledPi: true };
    const started = Date.now();
    const bundled = only(await runPreflight(await configFor(repo, { piModel: 'x/y' }), options));
    expect(bundled).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^pi \d+\.\d+\.\d+ .*installed with pi-harness/),
    });
    // Read from the package, not started: far below a Node start of pi on a loaded machine.
    expect(Date.now() - started).toBeLessThan(5_000);
    const other = only(
      await runPreflight(await configFor(repo, { piCli: hanging, piModel: 'x/y' }), {
        ...options,
        timeouts: { spawnMs: 500 },
      }),
    );
    expect(other).toMatchObject({ status: 'fail', detail: expect.stringContaining('no answer within 0.5 s') });
  });

  it('skips checks by id or family on request', async () => {
    const repo = await makeRepo({ 'TODOS.md': '- [ ] one\n' });
    const config = await configFor(repo, { transport: 'mock', piModel: 'a/b', roleModels: { tester: 'c/d' } });
    const result = await runPreflight(config, { env: { PATH: process.env.PATH }, skip: ['worktree', 'model', 'pi'] });
    expect(result.checks.map((check) => check.id)).toEqual([
      'config',
      'git',
      'lock',
      'task-file',
      'instructions:developer',
      'instructions:tester',
      'node',
      'test-command',
    ]);
  });

  it('does not blame the user for changes an interrupted iteration left behind', async () => {
    const repo = await makeRepo({ 'TODOS.md': '- [ ] one\n', 'pi.config.json': JSON.stringify({ transport: 'mock' }) });
    await writeFile(path.join(repo, 'half-done.ts'), 'export {};\n');
    const config = (await loadConfig({ repoRoot: repo, cwd: repo, env: {} })).config;
    const env = { PATH: process.env.PATH };
    expect((await runPreflight(config, { env })).checks.find((check) => check.id === 'worktree')).toMatchObject({
      status: 'fail',
    });

    const inProgress = {
      runId: 'r1',
      iteration: 3,
      taskId: 't1',
      taskText: 'one',
      startCommit: 'abc',
      startedAt: new Date().toISOString(),
    };
    const state = {
      version: 1,
      tasks: {},
      consecutiveFailures: 0,
      totalIterations: 2,
      inProgress,
      updatedAt: new Date().toISOString(),
    };
    await writeFiles(repo, { '.pi-harness/state.json': JSON.stringify(state) });
    const worktree = (await runPreflight(config, { env })).checks.find((check) => check.id === 'worktree')!;
    expect(worktree.status).toBe('warn');
    expect(worktree.detail).toContain(
      '1 uncommitted change: half-done.ts, left by an interrupted iteration (task: one)',
    );
  });

  it('gives up on an endpoint that accepts the connection but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // holds every socket open, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const repo = await makeRepo({ 'TODOS.md': '- [ ] one\n' });
      const config = await configFor(repo, {
        piModel: 'slow/m',
        models: { 'slow/m': { baseUrl: `http://127.0.0.1:${port}/v1` } },
      });
      const result = await runPreflight(config, { env: { PATH: process.env.PATH }, timeouts: { httpMs: 300 } });
      expect(result.checks.find((check) => check.id === 'model:slow/m')).toMatchObject({
        status: 'fail',
        detail: `slow/m: http://127.0.0.1:${port}/v1/models unreachable (no answer within 0.3 s)`,
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('turns a missing piCli into a failure with a fix, not a crash', async () => {
    const repo = await makeRepo({ 'TODOS.md': '- [ ] one\n' });
    const result = await runPreflight(await configFor(repo, { piCli: './no/such/pi' }), {
      env: { PATH: process.env.PATH },
    });
    const pi = result.checks.find((check) => check.id === 'pi')!;
    expect(pi.status).toBe('fail');
    expect(pi.detail).toContain(path.join(repo, 'no/such/pi'));
    expect(pi.fix).toContain('piCli');
    expect(result.ok).toBe(false);
  });
});
