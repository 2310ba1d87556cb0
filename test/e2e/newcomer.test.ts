/**
 * What a newcomer meets in the first ten minutes: init, doctor, config errors and the demo's
 * closing hints. Each case is a path a real user walked where a message misled, a secret showed,
 * a file was lost or something was written on error.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookAroundCommand } from '../../src/demo/story.js';
import { cli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

const env = { PATH: process.env.PATH, HOME: process.env.HOME };

describe('init: nothing lost, nothing written on error, nothing hidden', () => {
  it('writes nothing when an environment variable makes the configuration invalid', async () => {
    const repo = await makeRepo();
    const result = await cli(['init'], { cwd: repo, env: { ...env, PI_MAX_ITERS: 'abc' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PI_MAX_ITERS');
    expect(result.stderr).toContain('maxIterations');
    expect(existsSync(path.join(repo, 'pi.config.json'))).toBe(false);
    expect(existsSync(path.join(repo, 'TODOS.md'))).toBe(false);
    expect(await readFile(path.join(repo, '.git/info/exclude'), 'utf8')).not.toContain('.pi-harness');
  });

  it('shows the unknown-key warnings of a config it keeps', async () => {
    const repo = await makeRepo({ 'pi.config.json': '{"piModell": "local/x"}\n' });
    const result = await cli(['init'], { cwd: repo, env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: .*unknown key "piModell" is ignored \(did you mean "piModel"\?\)/);
  });

  it('--force keeps a copy of every file it overwrites, and says where', async () => {
    const repo = await makeRepo();
    await cli(['init'], { cwd: repo, env });
    await writeFile(path.join(repo, 'TODOS.md'), '- [ ] my real task, never committed\n');
    const forced = await cli(['init', '--force'], { cwd: repo, env });
    expect(forced.code).toBe(0);
    const line =
      forced.stdout.split('\n').find((text) => text.includes('TODOS.md') && text.includes('overwritten')) ?? '';
    const saved = /previous version saved to ([^\s)]+)/.exec(line)?.[1];
    expect(saved, line).toBeDefined();
    expect(await readFile(path.join(repo, saved!), 'utf8')).toBe('- [ ] my real task, never committed\n');
    // The copy lives in the harness's own directory, which git ignores: the tree stays as init leaves it.
    expect(saved!.startsWith('.pi-harness/')).toBe(true);
  });
});

describe('configuration errors a newcomer makes', () => {
  it('never echoes an API key put into apiKeyEnv by mistake, and says what the field wants', async () => {
    const secret = 'sk-live-abcdef1234567890';
    const repo = await makeRepo({
      'pi.config.json': JSON.stringify({
        piModel: 'local/m',
        models: { 'local/m': { baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: secret } },
      }),
    });
    const result = await cli(['doctor'], { cwd: repo, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('models.local/m.apiKeyEnv');
    expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toContain('abcdef');
    expect(result.stderr).toMatch(/name of an environment variable/);
  });

  it('shows the "did you mean" of a misspelled key alongside the error it causes', async () => {
    const repo = await makeRepo({
      'pi.config.json': JSON.stringify({
        piModel: 'local/m',
        models: { 'local/m': { baseURL: 'http://127.0.0.1:9/v1' } },
      }),
    });
    const result = await cli(['config'], { cwd: repo, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('models.local/m.baseUrl');
    expect(result.stderr).toMatch(/unknown key "models\.local\/m\.baseURL" is ignored \(did you mean "baseUrl"\?\)/);
  });

  it('says a --config that is a directory is not a file', async () => {
    const repo = await makeRepo();
    const result = await cli(['config', '--config', repo], { cwd: repo, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`not a file: ${repo}`);
  });
});

describe('running from a subdirectory of the repo', () => {
  it('does not silently fall back to defaults when the repo root has a pi.config.json', async () => {
    const repo = await makeRepo({
      'pi.config.json': '{"testCommand": "true"}\n',
      'TODOS.md': '- [ ] a\n',
      'src/a.txt': 'a\n',
    });
    const sub = path.join(repo, 'src');
    const doctor = await cli(['doctor'], { cwd: sub, env: { ...env, PI_TRANSPORT: 'mock' } });
    expect(doctor.code).toBe(4);
    expect(doctor.stdout).toContain(`${path.join(repo, 'pi.config.json')}`);
    expect(doctor.stdout).not.toContain('run `pi-harness init` to create one');
    expect(doctor.stdout).toMatch(/run pi-harness from .*or pass --config/);

    const once = await cli(['once'], { cwd: sub, env: { ...env, PI_TRANSPORT: 'mock' } });
    expect(once.code).toBe(4);
    expect(existsSync(path.join(repo, '.pi-harness'))).toBe(false);
  });
});

describe('doctor while a run is active', () => {
  it('names the live run instead of advising to stash its work; once then exits 3 naming it', async () => {
    const repo = await makeRepo({
      'TODOS.md': '- [ ] a\n',
      'pi.config.json': '{"transport": "mock", "testCommand": "true"}\n',
    });
    // A run in flight: it holds the lock and its agent has changed a file.
    const now = new Date().toISOString();
    await mkdir(path.join(repo, '.pi-harness'), { recursive: true });
    await writeFile(path.join(repo, '.git/info/exclude'), '/.pi-harness/\n');
    const lock = {
      version: 1,
      runId: 'R-live',
      pid: process.pid,
      hostname: hostname(),
      startedAt: now,
      processStartTime: null,
      heartbeatAt: now,
      status: 'running',
      command: 'pi-harness run',
    };
    await writeFile(path.join(repo, '.pi-harness/active-run.json'), JSON.stringify(lock));
    await writeFile(path.join(repo, 'TODOS.md'), '- [ ] a (being edited)\n');
    const result = await cli(['doctor'], { cwd: repo, env });
    expect(result.stdout).toMatch(/! run lock +run R-live \(pid \d+, pi-harness run, running\) is active/);
    const tree = result.stdout.split('\n').find((text) => text.includes('working tree')) ?? '';
    expect(tree).toContain('R-live');
    expect(result.stdout).not.toContain('git stash');

    const once = await cli(['once'], { cwd: repo, env });
    expect(once.code).toBe(3);
    expect(once.stderr).toContain('R-live');
  });
});

describe('the help and the demo tell what can be run', () => {
  it('--help lists visualize as the dashboard, built', async () => {
    const result = await cli(['--help'], { cwd: process.cwd(), env });
    expect(result.stdout).toMatch(/visualize .*serve the dashboard over the run history/);
    expect(result.stdout).not.toContain('not built yet');
  });

  it('help for an unknown command names it', async () => {
    const result = await cli(['help', 'bogus'], { cwd: process.cwd(), env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'bogus'");
  });

  it("the demo's look-around hints use a command that exists when pi-harness is not on PATH", async () => {
    const empty = await tempDir('pi-harness-nopath-');
    const command = await lookAroundCommand({ PATH: empty });
    expect(command).toMatch(/^node .*dist\/cli\/main\.js$|^node .*src\/cli\/main\.ts$/);
    const bin = await tempDir('pi-harness-path-');
    await writeFile(path.join(bin, 'pi-harness'), '#!/bin/sh\n', { mode: 0o755 });
    expect(await lookAroundCommand({ PATH: bin })).toBe('pi-harness');
    expect(await readdir(empty)).toEqual([]);
  });
});

describe('clear-history --refs with nothing else to remove', () => {
  it('says it removed the refs, without an empty list of paths', async () => {
    const repo = await makeRepo();
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['update-ref', 'refs/pi-harness/rescue/r1', 'HEAD'], { cwd: repo });
    const result = await cli(['clear-history', '--yes', '--refs'], { cwd: repo, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Removed 1 ref(s).');
    expect(result.stdout).not.toContain('0 path(s)');
  });
});

describe('init in a package made by npm init', () => {
  it('says why the placeholder test script was not taken as the test command', async () => {
    const repo = await makeRepo({
      'package.json': JSON.stringify({ name: 'x', scripts: { test: 'echo "Error: no test specified" && exit 1' } }),
    });
    const result = await cli(['init'], { cwd: repo, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /testCommand left empty \(package\.json's test script is npm's placeholder, which always fails\)/,
    );
  });
});

describe('clear-history outside a git repository', () => {
  it('does not print a raw git failure about refs', async () => {
    const dir = await tempDir('pi-harness-nogit-');
    const result = await cli(['clear-history', '--yes'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing to remove');
    expect(result.stdout).not.toMatch(/fatal|for-each-ref/);
  });
});

describe('report outside a git repository', () => {
  it('says there are no runs, without a raw git failure about rescue refs', async () => {
    const dir = await tempDir('pi-harness-nogit-');
    const result = await cli(['report'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No runs yet');
    expect(result.stdout).not.toMatch(/fatal|for-each-ref/);
  });
});
