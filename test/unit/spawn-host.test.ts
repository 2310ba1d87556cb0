/**
 * The spawn helper (process/spawn-host.ts): commands it runs behave as if the harness had spawned
 * them (cwd, environment, stdin, output, exit codes, time limits), a helper that dies fails only the
 * calls it held, it never keeps the harness alive, and nothing it started outlives a SIGKILL of the
 * harness.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runShortCommand, useSpawnHost, type ShortCommand } from '../../src/process/spawn-host.js';
import { git, GitError } from '../../src/workspace/git.js';
import { makeRepo } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOST_MODULE = fileURLToPath(new URL('../../src/process/spawn-host.ts', import.meta.url));

/** A Node one-liner as a short command. */
function node(source: string, more: Partial<ShortCommand> = {}): ShortCommand {
  return {
    file: process.execPath,
    args: ['-e', source],
    cwd: process.cwd(),
    env: process.env,
    timeoutMs: 20_000,
    maxBuffer: 1024 * 1024,
    ...more,
  };
}

const PARENT = 'process.stdout.write(String(process.ppid))';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pids: number[], withinMs = 10_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (pids.every((pid) => !alive(pid))) return true;
    await sleep(50);
  }
  return false;
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

afterEach(() => useSpawnHost(false));

describe('the spawn helper', () => {
  it('runs a command as the harness would: its cwd, environment, stdin, stdout and stderr', async () => {
    useSpawnHost(true);
    const dir = await tempDir();
    const outcome = await runShortCommand(
      node('process.stdin.pipe(process.stdout); console.error(process.env.SPAWN_HOST_TEST + " " + process.cwd())', {
        cwd: dir,
        env: { ...process.env, SPAWN_HOST_TEST: 'seen' },
        input: 'fed through stdin',
      }),
    );
    expect(outcome).toEqual({ stdout: 'fed through stdin', stderr: `seen ${dir}\n` });
    // Started by the helper, not by this process; with the helper off, by this process again.
    const helper = Number((await runShortCommand(node(PARENT))).stdout);
    expect(helper).not.toBe(process.pid);
    useSpawnHost(false);
    expect(Number((await runShortCommand(node(PARENT))).stdout)).toBe(process.pid);
    expect(await gone([helper])).toBe(true);
  });

  it('answers the calls it holds before it stops', async () => {
    useSpawnHost(true);
    const held = runShortCommand(node('setTimeout(() => process.stdout.write("done"), 300)'));
    await sleep(50);
    useSpawnHost(false);
    expect(await held).toEqual({ stdout: 'done', stderr: '' });
  });

  it('reports an exit code, a missing program and a time limit as a direct spawn does', async () => {
    for (const on of [true, false]) {
      useSpawnHost(on);
      expect((await runShortCommand(node('process.stdout.write("out"); process.exit(3)'))).failure).toMatchObject({
        code: 3,
      });
      const missing = await runShortCommand({ ...node(''), file: 'pi-harness-no-such-program' });
      expect(missing.failure).toMatchObject({ code: 'ENOENT' });
      const slow = await runShortCommand(node('setTimeout(() => {}, 30000)', { timeoutMs: 300 }));
      expect(slow.failure).toMatchObject({ code: null, signal: 'SIGTERM' });
    }
  });

  it('gives git the same answers and errors through the helper', async () => {
    useSpawnHost(true);
    const repo = await makeRepo({ 'a.txt': 'a\n' });
    expect(await git(repo, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('main\n');
    expect(await git(repo, ['hash-object', '--stdin'], { input: 'a\n' })).toBe(
      `${(await git(repo, ['rev-parse', 'HEAD:a.txt'])).trim()}\n`,
    );
    const error = await git(repo, ['rev-parse', '--verify', 'no-such-ref']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).exitCode).toBe(128);
  });

  it('fails the calls a dying helper held, and the next call starts a new helper', async () => {
    useSpawnHost(true);
    const helper = Number((await runShortCommand(node(PARENT))).stdout);
    expect(helper).not.toBe(process.pid);
    const held = runShortCommand(node('setTimeout(() => {}, 30000)'));
    await sleep(200);
    process.kill(helper, 'SIGKILL');
    expect((await held).failure?.message).toMatch(/spawn helper exited/);
    const next = Number((await runShortCommand(node(PARENT))).stdout);
    expect(next).not.toBe(helper);
    expect(next).not.toBe(process.pid);
  });

  it('neither keeps the harness alive nor outlives it, even a SIGKILL, once its commands end', async () => {
    const dir = await tempDir();
    const pidFile = path.join(dir, 'long.pid');
    const doneFile = path.join(dir, 'done');
    const script = path.join(dir, 'harness.mjs');
    // A harness that runs one short command, then one that finishes its work after 800 ms and would
    // then hang for a minute, past its 2-second time limit.
    const long = `const fs = require('fs'); fs.writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
setTimeout(() => fs.writeFileSync(${JSON.stringify(doneFile)}, 'done'), 800); setTimeout(() => {}, 60000);`;
    await writeFile(
      script,
      `import { runShortCommand, useSpawnHost } from ${JSON.stringify(HOST_MODULE)};
useSpawnHost(true);
const base = { file: process.execPath, cwd: process.cwd(), env: process.env, timeoutMs: 2000, maxBuffer: 65536 };
await runShortCommand({ ...base, args: ['-e', ''] });
if (process.argv[2] === 'long') await runShortCommand({ ...base, args: ['-e', ${JSON.stringify(long)}] });
`,
    );
    // Done with its work, the process ends on its own: the idle helper holds nothing open.
    const quick = spawn(process.execPath, [script], { stdio: 'ignore' });
    const ended = await Promise.race([
      new Promise<number | null>((resolve) => quick.once('exit', resolve)),
      sleep(15_000).then(() => 'still running'),
    ]);
    expect(ended).toBe(0);

    const harness = spawn(process.execPath, [script, 'long'], { stdio: 'ignore' });
    const until = Date.now() + 15_000;
    // The file exists a moment before the pid is in it (writeFileSync creates it, then writes).
    const pidIn = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0);
    while (!(pidIn() > 0) && Date.now() < until) await sleep(50);
    const longPid = pidIn();
    const helper = parentOf(longPid);
    expect(helper).not.toBe(harness.pid);
    harness.kill('SIGKILL');
    // What was running is not cut short (a git command halfway through a write would leave it half
    // done): it ends its work, then its time limit ends it, and the helper goes with it.
    expect(await gone([longPid, helper], 10_000)).toBe(true);
    expect(readFileSync(doneFile, 'utf8')).toBe('done');
  });
});
