/**
 * clear-history removes exactly the harness's files: the runtime directory and every configured
 * harness path, never a tracked file, never outside the repository, never through a symlink, never
 * while a run is live, and rescue refs only with --refs; under .git/pi-harness only this work tree's
 * state, journals and stale locks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClearHistory } from '../../src/cli/commands/clear-history.js';
import { readProcessStartTime } from '../../src/runtime/liveness.js';
import { cli } from '../helpers/cli.js';
import { gitSync, makeRepo, writeFiles } from '../helpers/git-repo.js';
import { configFor, writeJson } from '../helpers/journal.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A repo with harness files: the runtime dir (excluded from git as the loop does) and a log outside it. */
async function harnessRepo(config: Record<string, unknown> = {}) {
  const repo = await makeRepo({
    'README.md': '# project\n',
    'pi.config.json': JSON.stringify({ logFile: 'logs/pi.log', ...config }),
  });
  await writeFile(path.join(repo, '.git', 'info', 'exclude'), '/.pi-harness/\n/logs/\n');
  await writeFiles(repo, {
    '.pi-harness/state.json': '{}',
    '.pi-harness/runs/20261124T010000Z-aaaaaa/journal.jsonl': '{"type":"run_start"}\n',
    '.pi-harness/rescue/x.patch': 'diff',
    'logs/pi.log': 'log\n',
    'logs/.pi.log.123.abcdef.tmp': 'half',
    'logs/keep-me.txt': "not the harness's",
  });
  return repo;
}

const status = (repo: string) => gitSync(repo, 'status', '--porcelain', '--ignored');

describe('clear-history', () => {
  it('--yes removes the runtime dir and configured harness files (with their leftovers), and checks they are gone', async () => {
    const repo = await harnessRepo();
    gitSync(repo, 'update-ref', 'refs/pi-harness/rescue/run/1', 'HEAD');
    const result = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('.pi-harness/');
    expect(result.stdout).toContain('logs/pi.log');
    expect(result.stdout).toContain('Checked: every removed path is gone.');
    expect(result.stdout).toMatch(/1 ref\(s\) under refs\/pi-harness\/ \(1 rescue ref\(s\).*--refs/);
    expect(existsSync(path.join(repo, '.pi-harness'))).toBe(false);
    expect(existsSync(path.join(repo, 'logs/pi.log'))).toBe(false);
    expect(existsSync(path.join(repo, 'logs/.pi.log.123.abcdef.tmp'))).toBe(false);
    expect(readFileSync(path.join(repo, 'logs/keep-me.txt'), 'utf8')).toContain('not the harness');
    expect(status(repo)).toBe('!! logs/\n'); // only the user's keep-me.txt is left there
    expect(gitSync(repo, 'for-each-ref', 'refs/pi-harness')).not.toBe(''); // rescue refs kept by default
  });

  it('--refs also deletes refs/pi-harness/*', async () => {
    const repo = await harnessRepo();
    gitSync(repo, 'update-ref', 'refs/pi-harness/rescue/run/1', 'HEAD');
    gitSync(repo, 'update-ref', 'refs/pi-harness/predirty/run/1', 'HEAD');
    const result = await cli(['clear-history', '--yes', '--refs'], { cwd: repo, env: {} });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('and 2 ref(s)');
    expect(gitSync(repo, 'for-each-ref', 'refs/pi-harness')).toBe('');
    expect(gitSync(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
  });

  it('off a terminal without --yes: shows the plan, removes nothing, exits 2', async () => {
    const repo = await harnessRepo();
    const result = await cli(['clear-history'], { cwd: repo, env: {} });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Would remove:');
    expect(result.stderr).toContain('--yes');
    expect(existsSync(path.join(repo, '.pi-harness/state.json'))).toBe(true);
  });

  it('asks on a terminal: no keeps everything, yes removes', async () => {
    const repo = await harnessRepo();
    const config = await configFor(repo);
    const out: string[] = [];
    const io = {
      cwd: repo,
      env: {},
      stdout: (text: string) => out.push(text),
      stderr: (text: string) => out.push(text),
    };
    const questions: string[] = [];
    expect(
      await runClearHistory(config, io, {
        confirm: async (q) => {
          questions.push(q);
          return false;
        },
      }),
    ).toBe(0);
    expect(out.join('')).toContain('Nothing removed.');
    expect(existsSync(path.join(repo, '.pi-harness'))).toBe(true);
    expect(
      await runClearHistory(config, io, {
        confirm: async (q) => {
          questions.push(q);
          return true;
        },
      }),
    ).toBe(0);
    expect(questions).toEqual(['Remove these? [y/N] ', 'Remove these? [y/N] ']);
    expect(existsSync(path.join(repo, '.pi-harness'))).toBe(false);
  });

  it('nothing to remove: says so and exits 0', async () => {
    const repo = await makeRepo();
    const result = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing to remove');
    expect(status(repo)).toBe('');
  });

  it('refuses a configured harness path that is a tracked file, and removes nothing', async () => {
    const repo = await harnessRepo({ telemetryCsv: 'README.md' });
    const result = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/README\.md \(telemetryCsv\): it is tracked by git/);
    expect(result.stderr).toContain('nothing was removed');
    expect(existsSync(path.join(repo, 'README.md'))).toBe(true);
    expect(existsSync(path.join(repo, '.pi-harness/state.json'))).toBe(true);
  });

  it('refuses a runtime dir that holds tracked files, the repo root, and .git', async () => {
    const repo = await harnessRepo();
    await writeFiles(repo, { 'src/main.ts': 'code\n' });
    gitSync(repo, 'add', 'src/main.ts');
    gitSync(repo, 'commit', '-qm', 'src');
    for (const [dir, reason] of [
      ['src', /contains 1 file\(s\) tracked by git \(src\/main\.ts\)/],
      ['.', /the repository root itself/],
      ['.git', /inside \.git/],
    ] as const) {
      const result = await cli(['clear-history', '--yes'], { cwd: repo, env: { PI_RUNTIME_DIR: dir } });
      expect(result.code, dir).toBe(2);
      expect(result.stderr).toMatch(reason);
    }
    expect(readFileSync(path.join(repo, 'src/main.ts'), 'utf8')).toBe('code\n');
    expect(gitSync(repo, 'status', '--porcelain')).toBe('');
  });

  it('refuses an existing configured path outside the repository', async () => {
    const outside = await tempDir('pi-harness-outside-');
    await writeFile(path.join(outside, 'telemetry.csv'), 'a,b\n');
    const repo = await harnessRepo({ telemetryCsv: path.join(outside, 'telemetry.csv') });
    const result = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/telemetry\.csv \(telemetryCsv\): it is outside the repository/);
    expect(existsSync(path.join(outside, 'telemetry.csv'))).toBe(true);
    expect(existsSync(path.join(repo, '.pi-harness'))).toBe(true);
  });

  it('never follows a symlink out: a link in the parents is refused, a linked runtime dir goes as a link', async () => {
    const outside = await tempDir('pi-harness-outside-');
    await writeFiles(outside, { 'var/pi.log': 'theirs\n', 'runtime/state.json': '{}' });
    const repo = await makeRepo({ 'pi.config.json': JSON.stringify({ logFile: 'var/pi.log' }) });
    await symlink(path.join(outside, 'var'), path.join(repo, 'var'));
    await writeFile(path.join(repo, '.git', 'info', 'exclude'), '/var\n/.pi-harness\n');
    const refusedRun = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(refusedRun.code).toBe(2);
    expect(refusedRun.stderr).toContain('a symlink in its parents leads outside the repository');
    expect(existsSync(path.join(outside, 'var/pi.log'))).toBe(true);

    const repo2 = await makeRepo();
    await symlink(path.join(outside, 'runtime'), path.join(repo2, '.pi-harness'));
    await writeFile(path.join(repo2, '.git', 'info', 'exclude'), '/.pi-harness\n');
    const linked = await cli(['clear-history', '--yes'], { cwd: repo2, env: {} });
    expect(linked.code).toBe(0);
    expect(linked.stdout).toContain('symlink (its target is left alone)');
    expect(existsSync(path.join(repo2, '.pi-harness'))).toBe(false);
    expect(existsSync(path.join(outside, 'runtime/state.json'))).toBe(true);
  });

  it('exits 3 while a live run holds the lock, and clears after the holder is gone', async () => {
    const repo = await harnessRepo();
    const config = await configFor(repo);
    const lock = {
      version: 1,
      runId: 'live-run',
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
      processStartTime: readProcessStartTime(process.pid),
      heartbeatAt: new Date().toISOString(),
      status: 'iteration 1',
      command: 'pi-harness run',
    };
    await writeJson(config.activeRunFile, lock);
    const held = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(held.code).toBe(3);
    expect(held.stderr).toContain('run live-run');
    expect(existsSync(path.join(repo, '.pi-harness/state.json'))).toBe(true);

    await writeJson(config.activeRunFile, { ...lock, pid: 2 ** 22 + 17 }); // the holder died
    const cleared = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(cleared.code).toBe(0);
    expect(existsSync(path.join(repo, '.pi-harness'))).toBe(false);
  });

  it('a lock configured outside the runtime dir is removed too, and no directory is left behind', async () => {
    const repo = await harnessRepo({ activeRunFile: 'locks/run.lock' });
    await mkdir(path.join(repo, 'locks'));
    await writeFile(path.join(repo, '.git', 'info', 'exclude'), '/.pi-harness/\n/logs/\n/locks/\n');
    const result = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(repo, 'locks/run.lock'))).toBe(false);
    expect(existsSync(path.join(repo, '.pi-harness'))).toBe(false);
  });
});

describe('clear-history and the harness files under the git common directory', () => {
  const home = (repo: string) => path.join(repo, '.git', 'pi-harness');

  it("removes this work tree's state, journals and stale locks there; keeps another work tree's state", async () => {
    const repo = await harnessRepo();
    await writeFiles(home(repo), {
      'state.json': '{"version":1}',
      'state.json.corrupt-20261124T010000Z': 'not json',
      'runs/20261124T020000Z-bbbbbb/journal.jsonl': '{"type":"run_start"}\n',
      'runs/20261124T020000Z-bbbbbb/pi-sessions/s.jsonl': '{}\n',
      'lock.json.stale-20261124T010000Z': '{}',
      'worktrees/other/state.json': '{"theirs":true}',
    });
    const result = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('.git/pi-harness/runs/');
    expect(result.stdout).toContain('.git/pi-harness/state.json');
    for (const gone of [
      'state.json',
      'state.json.corrupt-20261124T010000Z',
      'runs',
      'lock.json.stale-20261124T010000Z',
    ])
      expect(existsSync(path.join(home(repo), gone)), gone).toBe(false);
    expect(readFileSync(path.join(home(repo), 'worktrees/other/state.json'), 'utf8')).toBe('{"theirs":true}');
    expect(existsSync(path.join(repo, '.pi-harness'))).toBe(false);
    // The lock clear-history took for itself is released: nothing else of the harness is left there.
    expect(readdirSync(home(repo)).sort()).toEqual(['worktrees']);
    const report = await cli(['report'], { cwd: repo, env: {} });
    expect(report.stdout).toContain('No runs yet');
  });

  it('a linked work tree clears its own state and journals, never the main one', async () => {
    const repo = await harnessRepo();
    const linked = path.join(await tempDir('pi-harness-linked-'), 'wt');
    gitSync(repo, 'worktree', 'add', '-q', '-b', 'side', linked);
    await writeFiles(home(repo), {
      'state.json': '{"main":true}',
      'runs/20261124T020000Z-bbbbbb/journal.jsonl': '{"type":"run_start"}\n',
      'worktrees/wt/state.json': '{"linked":true}',
      'worktrees/wt/runs/20261124T030000Z-cccccc/journal.jsonl': '{"type":"run_start"}\n',
    });
    const result = await cli(['clear-history', '--yes'], { cwd: linked, env: {} });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(path.join(home(repo), 'worktrees/wt/state.json'))).toBe(false);
    expect(existsSync(path.join(home(repo), 'worktrees/wt/runs'))).toBe(false);
    expect(readFileSync(path.join(home(repo), 'state.json'), 'utf8')).toBe('{"main":true}');
    expect(existsSync(path.join(home(repo), 'runs/20261124T020000Z-bbbbbb/journal.jsonl'))).toBe(true);
  });

  it('a symlinked runs directory there goes as a link; what it points to stays', async () => {
    const repo = await harnessRepo();
    const outside = await tempDir('pi-harness-outside-');
    await writeFiles(outside, { 'precious/notes.txt': 'theirs\n' });
    await mkdir(home(repo), { recursive: true });
    await symlink(path.join(outside, 'precious'), path.join(home(repo), 'elsewhere'));
    await symlink(path.join(home(repo), 'elsewhere'), path.join(home(repo), 'runs'));
    const result = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(result.code, result.stderr).toBe(0);
    // `runs` itself is a symlink: removed as a link, what it points to is left alone.
    expect(existsSync(path.join(home(repo), 'runs'))).toBe(false);
    expect(readFileSync(path.join(outside, 'precious/notes.txt'), 'utf8')).toBe('theirs\n');
  });

  it('exits 3 while a live run holds the lock there, removing nothing', async () => {
    const repo = await harnessRepo();
    await writeFiles(home(repo), { 'state.json': '{"version":1}' });
    await writeJson(path.join(home(repo), 'lock.json'), {
      version: 1,
      runId: 'live-run',
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
      processStartTime: readProcessStartTime(process.pid),
      heartbeatAt: new Date().toISOString(),
      status: 'iteration 1',
      command: 'pi-harness run',
    });
    const held = await cli(['clear-history', '--yes'], { cwd: repo, env: {} });
    expect(held.code).toBe(3);
    expect(held.stderr).toContain('run live-run');
    expect(existsSync(path.join(home(repo), 'state.json'))).toBe(true);
    expect(existsSync(path.join(repo, '.pi-harness/state.json'))).toBe(true);
  });
});
