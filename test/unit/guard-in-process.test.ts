/**
 * The guard preloaded into a Node child (`node --import=<guardian> script`): Node preloads it into
 * every worker thread of that child too (pi resizes images in one). Only the main thread may guard:
 * a copy in a worker took the lifeline's fd 3 with it when the worker ended, so pi's next socket
 * got fd 3 and its request never left (the visual review hung), and its exit handler killed pi's
 * tool processes.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GuardedChild } from '../../src/process/guarded-child.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Starts a tagged `sleep`, runs a worker thread to its end, then reports fd 3 and the sleep. */
const CHILD_WITH_WORKER = `
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
const fd3 = () => { try { return readlinkSync('/proc/self/fd/3'); } catch { return 'closed'; } };
const before = fd3();
const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 200));
const worker = new Worker(new URL('./worker.mjs', import.meta.url));
await new Promise((resolve) => worker.once('exit', resolve));
await new Promise((resolve) => setTimeout(resolve, 200));
let sleeperAlive = true;
try { process.kill(sleeper.pid, 0); } catch { sleeperAlive = false; }
process.stdout.write(JSON.stringify({ before, after: fd3(), sleeperAlive }) + '\\n');
sleeper.kill('SIGKILL');
`;

async function runChild(source: string): Promise<string> {
  const dir = await tempDir();
  const script = path.join(dir, 'child.mjs');
  await writeFile(script, source);
  // Node preloads --import modules into workers started from a file (not into eval'd ones).
  await writeFile(path.join(dir, 'worker.mjs'), 'setTimeout(() => {}, 50);\n');
  const child = new GuardedChild({
    command: process.execPath,
    args: [script],
    cwd: dir,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    inProcess: { nodeFlags: [] },
  });
  expect(child.guardedInProcess).toBe(true);
  let stdout = '';
  let stderr = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.process.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exit = await child.waitForExit();
  expect({ exit, stderr }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
  return stdout;
}

describe('the guard preloaded into a Node child', () => {
  it('guards from the main thread only: a worker thread ending leaves the lifeline and the tool processes alone', {
    timeout: 30_000,
  }, async () => {
    const report = JSON.parse(await runChild(CHILD_WITH_WORKER)) as Record<string, unknown>;
    expect(report.before).toMatch(/^socket:/);
    expect(report).toEqual({ before: report.before, after: report.before, sleeperAlive: true });
  });
});
