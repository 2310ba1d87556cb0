/**
 * `status` as a fresh process (the built CLI) answers the quick way: a handful of modules (the
 * entry and the bundled quick path), neither the command-line parser, the configuration's
 * validator, the dashboard nor the loop, nor node:crypto (only the run writes snapshots), and asks
 * git once. Each would cost every `status` in a watch
 * loop its time again. Forms the quick way does not take still get the full CLI's answer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeHistory } from '../../src/bench/report-fixture.js';
import { quickStatusArgs } from '../../src/cli/quick-status.js';
import { tempDir } from '../helpers/temp-dir.js';

const BUILT_CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');

/** Preloaded into the CLI: records every module URL it loads and Node's own modules, at exit. */
const RECORDER = `
const { registerHooks } = require('node:module');
const urls = [];
registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });
process.on('exit', () => require('node:fs').writeFileSync(process.env.RECORD_TO,
  JSON.stringify({ urls, builtins: process.moduleLoadList })));
`;

/** A `git` first on PATH that counts its calls, then runs the real one. */
function countingGit(dir: string): string {
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const script = path.join(dir, 'git');
  writeFileSync(script, `#!/bin/sh\necho call >> "${path.join(dir, 'calls')}"\nexec "${real}" "$@"\n`);
  chmodSync(script, 0o755);
  return dir;
}

async function repoWithRun(): Promise<string> {
  const repo = await tempDir();
  execFileSync('git', ['init', '-q'], { cwd: repo });
  await writeHistory(path.join(repo, '.pi-harness'), { runs: 1, iterationsPerRun: 3 });
  return repo;
}

async function statusProcess(repo: string, args: string[]) {
  const tools = await tempDir();
  writeFileSync(path.join(tools, 'recorder.cjs'), RECORDER);
  const record = path.join(tools, 'record.json');
  const bin = countingGit(await tempDir());
  const result = spawnSync(process.execPath, ['--require', path.join(tools, 'recorder.cjs'), BUILT_CLI, ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME, RECORD_TO: record },
    timeout: 30_000,
  });
  const loaded = JSON.parse(readFileSync(record, 'utf8')) as { urls: string[]; builtins: string[] };
  const calls = path.join(bin, 'calls');
  const gitCalls = existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').length : 0;
  return { ...result, ...loaded, gitCalls };
}

describe('status as a fresh process', () => {
  it('answers from the journal, loading only what status needs and asking git once', async () => {
    const repo = await repoWithRun();
    const run = await statusProcess(repo, ['status', '--json']);
    expect(run.status).toBe(0);
    const runId = readdirSync(path.join(repo, '.pi-harness', 'runs'))[0];
    expect(JSON.parse(run.stdout).run.id).toBe(runId);
    const project = run.urls.filter((url) => url.startsWith('file:'));
    // The build bundles the quick path into one module (scripts/build-status.mjs).
    expect(project.some((url) => url.endsWith('/dist/cli/quick-status.bundle.js'))).toBe(true);
    expect(project.length).toBeLessThanOrEqual(5);
    for (const heavy of ['/commander/', '/zod/', '/dist/dashboard/', '/dist/loop/', '/dist/agent/', 'config/load.js'])
      expect(project.filter((url) => url.includes(heavy))).toEqual([]);
    expect(run.builtins).not.toContain('NativeModule crypto');
    expect(run.builtins).not.toContain('NativeModule v8');
    expect(run.gitCalls).toBe(1);
  });

  it('leaves other forms to the full CLI: help, and a configuration the light reader cannot take', async () => {
    const repo = await repoWithRun();
    const help = await statusProcess(repo, ['status', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--json');
    expect(help.urls.some((url) => url.includes('/commander/'))).toBe(true);

    writeFileSync(path.join(repo, 'pi.config.json'), JSON.stringify({ piRuntimeDir: 42 }));
    const bad = await statusProcess(repo, ['status']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('piRuntimeDir');

    const missing = await statusProcess(repo, ['--config', 'nowhere.json', 'status']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('config file not found');
  });
});

describe('the plain forms the quick way takes', () => {
  it.each<[string[], object]>([
    [['status'], { json: false }],
    [['status', '--json'], { json: true }],
    [['--config', 'a.json', 'status'], { json: false, configFile: 'a.json' }],
    [['status', '--config=a.json', '--json'], { json: true, configFile: 'a.json' }],
  ])('%j', (argv, expected) => {
    expect(quickStatusArgs(argv)).toEqual(expected);
  });

  it.each<[string[]]>([
    [[]],
    [['report']],
    [['status', '--help']],
    [['status', '-h']],
    [['--json', 'status']],
    [['status', '--json', '--json']],
    [['status', 'status']],
    [['status', '--config']],
    [['status', '--config', '--json']],
    [['status', '--config=']],
    [['status', '--jsn']],
  ])('not %j', (argv) => {
    expect(quickStatusArgs(argv)).toBeUndefined();
  });
});
