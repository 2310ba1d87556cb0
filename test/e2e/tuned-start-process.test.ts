/**
 * `pi-harness run` starts itself again with glibc's malloc settings (src/cli/tuned-start.ts): the
 * real CLI, its two images recorded by a preload — the same process, the settings in the second
 * image's initial environment, and none of them in its environment or a command it runs.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARNESS_MALLOC_ENV, HARNESS_NODE_OPTIONS, TUNED_START_ENV } from '../../src/cli/tuned-start.js';
import { tempDir } from '../helpers/temp-dir.js';

const BUILT_CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');

/** Records, as the image starts, the names in its initial environment; at exit, its env's and a child's. */
const RECORDER = `
const fs = require('node:fs');
const names = (list) => list.filter((e) => /^(MALLOC_|${TUNED_START_ENV})/.test(e)).map((e) => e.split('=')[0]).sort();
const record = (entry) => fs.appendFileSync(process.env.RECORD_TO, JSON.stringify(entry) + '\\n');
const environ = fs.readFileSync('/proc/self/environ', 'utf8').split('\\0');
record({ phase: 'start', pid: process.pid, environ: names(environ), execArgv: process.execArgv });
process.on('exit', () => {
  const child = require('node:child_process').execFileSync('env', { env: process.env, encoding: 'utf8' }).split('\\n');
  record({ phase: 'exit', pid: process.pid, env: names(Object.keys(process.env)), child: names(child) });
});
`;

interface Entry {
  phase: 'start' | 'exit';
  pid: number;
  environ?: string[];
  execArgv?: string[];
  env?: string[];
  child?: string[];
}

async function runCli(dir: string, env: NodeJS.ProcessEnv): Promise<{ pid: number; entries: Entry[] }> {
  const preload = path.join(dir, 'recorder.cjs');
  const recordTo = path.join(dir, 'record.jsonl');
  await writeFile(preload, RECORDER);
  const child = spawn(process.execPath, ['--require', preload, BUILT_CLI, 'run'], {
    cwd: dir,
    env: { ...env, RECORD_TO: recordTo, PI_VISUALIZER: '0' },
    stdio: 'ignore',
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the CLI did not exit within 30 s')), 30_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const text = await readFile(recordTo, 'utf8');
  return {
    pid: child.pid!,
    entries: text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Entry),
  };
}

const withoutMalloc = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MALLOC_')));

describe.runIf(process.platform === 'linux')('the tuned start of `pi-harness run`', () => {
  it('runs in the same process with the settings from its start, and passes none of them on', async () => {
    const dir = await tempDir();
    const { pid, entries } = await runCli(dir, withoutMalloc());
    const starts = entries.filter((entry) => entry.phase === 'start');
    expect(starts.map((entry) => entry.pid)).toEqual([pid, pid]);
    expect(starts[0]!.environ).toEqual([]);
    expect(starts[1]!.environ).toEqual([...Object.keys(HARNESS_MALLOC_ENV), TUNED_START_ENV].sort());
    expect(starts[1]!.execArgv).toEqual([...HARNESS_NODE_OPTIONS, '--require', expect.stringContaining('recorder')]);
    const exit = entries.find((entry) => entry.phase === 'exit');
    expect(exit).toEqual({ phase: 'exit', pid, env: [], child: [] });
  });

  it("keeps a setting the user made, and passes it on as the user's", async () => {
    const dir = await tempDir();
    const { entries } = await runCli(dir, { ...withoutMalloc(), MALLOC_ARENA_MAX: '4' });
    const starts = entries.filter((entry) => entry.phase === 'start');
    expect(starts[1]!.environ).toEqual([...Object.keys(HARNESS_MALLOC_ENV), TUNED_START_ENV].sort());
    expect(entries.find((entry) => entry.phase === 'exit')).toMatchObject({
      env: ['MALLOC_ARENA_MAX'],
      child: ['MALLOC_ARENA_MAX'],
    });
  });
});
