import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/verify/run-command.js';
import { lastLines } from '../../src/verify/tail-buffer.js';
import { GUARD_ENV, WATCH_ENV } from '../../src/process/guardian.js';
import { processAlive } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('runCommand', () => {
  it('skips an empty command', async () => {
    const result = await runCommand({ command: '  ', cwd: await tempDir(), timeoutSeconds: 5 });
    expect(result.outcome).toBe('skipped');
  });

  it('passes on exit 0 and keeps stdout and stderr together', async () => {
    const result = await runCommand({ command: 'echo out; echo err >&2', cwd: await tempDir(), timeoutSeconds: 5 });
    expect(result).toMatchObject({ outcome: 'passed', exitCode: 0 });
    expect(result.output).toBe('out\nerr\n');
  });

  it('fails with the exit code', async () => {
    const result = await runCommand({ command: 'echo broken; exit 3', cwd: await tempDir(), timeoutSeconds: 5 });
    expect(result).toMatchObject({ outcome: 'failed', exitCode: 3, output: 'broken\n' });
  });

  it('runs in the given directory with the given environment, values never interpolated by us', async () => {
    const cwd = await tempDir();
    const result = await runCommand({
      command: 'pwd; printf "%s" "$PI_VISUAL_TASK" > task.txt',
      cwd,
      timeoutSeconds: 5,
      env: { ...process.env, PI_VISUAL_TASK: '$(touch pwned) `touch pwned2`' },
    });
    expect(result.output.trim()).toBe(cwd);
    expect(await readFile(path.join(cwd, 'task.txt'), 'utf8')).toBe('$(touch pwned) `touch pwned2`');
    await expect(readFile(path.join(cwd, 'pwned'))).rejects.toThrow();
  });

  it('times out, killing the whole process group', async () => {
    const cwd = await tempDir();
    const started = Date.now();
    const result = await runCommand({
      command: 'sleep 30 & echo $! > bg.pid; sleep 30',
      cwd,
      timeoutSeconds: 1,
    });
    expect(result.outcome).toBe('timed_out');
    expect(Date.now() - started).toBeLessThan(6000);
    const backgroundPid = Number(await readFile(path.join(cwd, 'bg.pid'), 'utf8'));
    expect(processAlive(backgroundPid)).toBe(false);
  });

  it('does not hang when a background process keeps the output pipe open', async () => {
    const started = Date.now();
    const result = await runCommand({ command: 'sleep 30 & echo done', cwd: await tempDir(), timeoutSeconds: 20 });
    expect(result).toMatchObject({ outcome: 'passed', exitCode: 0, output: 'done\n' });
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('keeps the end of long output within the byte cap', async () => {
    const result = await runCommand({
      command: 'for i in $(seq 1 5000); do echo "line $i"; done',
      cwd: await tempDir(),
      timeoutSeconds: 10,
      maxOutputBytes: 100,
    });
    expect(result.output.length).toBeLessThanOrEqual(100);
    expect(result.output.endsWith('line 5000\n')).toBe(true);
    expect(result.droppedBytes).toBeGreaterThan(40_000);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runCommand({
      command: 'sleep 30',
      cwd: await tempDir(),
      timeoutSeconds: 30,
      signal: controller.signal,
    });
    expect(result.outcome).toBe('aborted');
  });
});

describe('runCommand ends what the command started, setsid children included', () => {
  // `setsid` puts the daemon in a session (and group) of its own: no group kill reaches it.
  const DAEMON = "setsid sh -c 'echo $$ > daemon.pid; exec sleep 60' & while [ ! -s daemon.pid ]; do sleep 0.05; done;";

  async function daemonPid(cwd: string): Promise<number> {
    return Number(await readFile(path.join(cwd, 'daemon.pid'), 'utf8'));
  }

  it('when the command finishes', async () => {
    const cwd = await tempDir();
    const result = await runCommand({ command: `${DAEMON} echo done`, cwd, timeoutSeconds: 20 });
    expect(result).toMatchObject({ outcome: 'passed', output: 'done\n' });
    expect(processAlive(await daemonPid(cwd))).toBe(false);
  });

  it('when it times out', async () => {
    const cwd = await tempDir();
    const result = await runCommand({ command: `${DAEMON} sleep 60`, cwd, timeoutSeconds: 4 });
    expect(result.outcome).toBe('timed_out');
    expect(processAlive(await daemonPid(cwd))).toBe(false);
  });

  it('when it is aborted', async () => {
    const cwd = await tempDir();
    const controller = new AbortController();
    const running = runCommand({ command: `${DAEMON} sleep 60`, cwd, timeoutSeconds: 30, signal: controller.signal });
    while (!(await readFile(path.join(cwd, 'daemon.pid'), 'utf8').catch(() => ''))) await sleep(50);
    controller.abort();
    expect((await running).outcome).toBe('aborted');
    expect(processAlive(await daemonPid(cwd))).toBe(false);
  });

  it('reports a command killed by a signal as such', async () => {
    const result = await runCommand({ command: 'kill -TERM $$', cwd: await tempDir(), timeoutSeconds: 10 });
    expect(result).toMatchObject({ outcome: 'failed', exitCode: null, signal: 'SIGTERM' });
  });
});

describe('a harness killed with -9 while the command runs', () => {
  const REPO_ROOT = path.join(import.meta.dirname, '..', '..');

  async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  function environOf(pid: number): Promise<string[]> {
    return readFile(`/proc/${pid}/environ`, 'latin1').then((text) => text.split('\0'));
  }

  it('leaves nothing it started behind: the command, its group, a setsid daemon', { timeout: 30_000 }, async () => {
    const cwd = await tempDir();
    // The command leads its group and writes its pid; a daemon escapes into a session of its own.
    const command = "echo $$ > command.pid; setsid sh -c 'echo $$ > daemon.pid; exec sleep 60' & sleep 60 & wait";
    const harness = spawn(
      process.execPath,
      ['--import', './test/e2e/fixtures/register-ts.mjs', './test/e2e/fixtures/command-child.ts', cwd, command],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise((resolve) => harness.once('exit', resolve));
    try {
      const pidOf = (name: string) => readFile(path.join(cwd, name), 'utf8').then(Number, () => 0);
      await until(async () => (await pidOf('daemon.pid')) > 0 && (await pidOf('command.pid')) > 0, 15_000, 'start');
      const daemon = await pidOf('daemon.pid');
      const leader = await pidOf('command.pid');
      // Watched, not guarded: the command is the harness's own child, tagged twice.
      const tags = await environOf(leader);
      expect(tags.some((entry) => entry.startsWith(`${GUARD_ENV}=`))).toBe(true);
      expect(tags.some((entry) => entry.startsWith(`${WATCH_ENV}=`))).toBe(true);
      expect(processAlive(daemon)).toBe(true);
      harness.kill('SIGKILL');
      await exited;
      await until(() => !processAlive(daemon) && !processAlive(leader), 10_000, 'the command and its daemon to end');
    } finally {
      harness.kill('SIGKILL');
    }
  });
});

describe('lastLines', () => {
  it('returns the end of the text and how much was left out', () => {
    expect(lastLines('a\nb\nc\nd\n', 2)).toEqual({ lines: ['c', 'd'], omitted: 2 });
    expect(lastLines('a\r\nb', 5)).toEqual({ lines: ['a', 'b'], omitted: 0 });
  });
});
