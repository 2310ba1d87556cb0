import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcessStartTime } from '../../src/runtime/liveness.js';
import { acquireRunLock, LockHeldError, type LockRecord, type RunLock } from '../../src/runtime/lock.js';
import { NewerVersionError } from '../../src/runtime/newer-version.js';
import { processAlive } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const held: RunLock[] = [];
afterEach(async () => {
  for (const lock of held.splice(0)) await lock.release();
});

async function acquire(
  lockFile: string,
  runId: string,
  extra: { heartbeatIntervalMs?: number } = {},
): Promise<RunLock> {
  const lock = await acquireRunLock({
    lockFile,
    runId,
    command: `pi-harness run # ${runId}`,
    heartbeatIntervalMs: 0,
    ...extra,
  });
  held.push(lock);
  return lock;
}

const readLock = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as LockRecord;

function oldLock(overrides: Partial<LockRecord>): LockRecord {
  return {
    version: 1,
    runId: 'old-run',
    pid: process.pid,
    hostname: hostname(),
    startedAt: '2024-01-01T00:00:00.000Z',
    processStartTime: readProcessStartTime(process.pid),
    heartbeatAt: new Date().toISOString(),
    status: 'running',
    command: 'pi-harness run',
    ...overrides,
  };
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  for (;;) {
    const pid = spawnSync(process.execPath, ['-e', '']).pid!;
    if (!processAlive(pid)) return pid;
  }
}

describe('acquireRunLock', () => {
  it('writes the holder record and refuses a second run, naming the holder', async () => {
    const lockFile = path.join(await tempDir(), 'runtime', 'active-run.json');
    const lock = await acquire(lockFile, 'run-a');
    const record = await readLock(lockFile);
    expect(record).toMatchObject({
      runId: 'run-a',
      pid: process.pid,
      hostname: hostname(),
      status: 'starting',
      command: 'pi-harness run # run-a',
    });
    expect(record.processStartTime).toBe(readProcessStartTime(process.pid));
    expect(typeof record.processStartTime).toBe('number');
    expect(lock.recoveredStale).toBeUndefined();

    const second = acquire(lockFile, 'run-b');
    await expect(second).rejects.toBeInstanceOf(LockHeldError);
    await expect(second).rejects.toThrow(
      new RegExp(`run run-a, pid ${process.pid} on .*since ${record.startedAt}.*command: pi-harness run # run-a`),
    );
    const error = (await second.catch((caught: unknown) => caught)) as LockHeldError;
    expect(error.holder.runId).toBe('run-a');
    expect((await readLock(lockFile)).runId).toBe('run-a'); // the loser changed nothing
  });

  it('recovers the lock of a process that is gone and reports the old holder', async () => {
    const lockFile = path.join(await tempDir(), 'active-run.json');
    const stale = oldLock({ pid: deadPid() });
    await writeFile(lockFile, JSON.stringify(stale));
    const lock = await acquire(lockFile, 'run-new');
    expect(lock.recoveredStale?.reason).toBe('process-gone');
    expect(lock.recoveredStale?.previous).toEqual(stale);
    expect(JSON.parse(await readFile(lock.recoveredStale!.movedTo, 'utf8'))).toEqual(stale);
    expect((await readLock(lockFile)).runId).toBe('run-new');
  });

  it('recovers a lock whose pid is alive but belongs to another process (start time differs)', async () => {
    const lockFile = path.join(await tempDir(), 'active-run.json');
    await writeFile(
      lockFile,
      JSON.stringify(oldLock({ processStartTime: readProcessStartTime(process.pid)! + 12_345 })),
    );
    const lock = await acquire(lockFile, 'run-new');
    expect(lock.recoveredStale?.reason).toBe('pid-reused');
    expect((await readLock(lockFile)).runId).toBe('run-new');
  });

  it('treats an unparseable lock as stale but keeps a copy aside', async () => {
    const dir = await tempDir();
    const lockFile = path.join(dir, 'active-run.json');
    await writeFile(lockFile, '{"runId": "half-writ');
    const lock = await acquire(lockFile, 'run-new');
    expect(lock.recoveredStale?.reason).toBe('unparseable');
    expect(lock.recoveredStale?.previous).toBeUndefined();
    expect(await readFile(lock.recoveredStale!.movedTo, 'utf8')).toBe('{"runId": "half-writ');
    expect(path.dirname(lock.recoveredStale!.movedTo)).toBe(dir);
  });

  it('holds a lock that fails the schema while the process it names lives, naming what it can read', async () => {
    const dir = await tempDir();
    const lockFile = path.join(dir, 'active-run.json');
    // A field this version does not know and one missing: the schema fails, the pid still reads.
    const odd = JSON.stringify({ version: 1, runId: 'odd-run', pid: process.pid, command: 'pi-harness run', x: [1] });
    for (const text of [odd, `{"runId": "torn-run", "pid": ${process.pid}, "hostn`]) {
      await writeFile(lockFile, text);
      const attempt = acquire(lockFile, 'run-new');
      await expect(attempt).rejects.toBeInstanceOf(LockHeldError);
      const error = (await attempt.catch((caught: unknown) => caught)) as LockHeldError;
      expect(error.holder.pid).toBe(process.pid);
      expect(error.message).toContain(`pid ${process.pid}`);
      expect(error.message).toMatch(/run (odd|torn)-run/);
      expect(error.message).toMatch(/could not be read whole/);
      expect(await readFile(lockFile, 'utf8')).toBe(text); // untouched
      expect((await readdir(dir)).sort()).toEqual(['active-run.json']);
    }
    // The same odd lock whose process is gone is stale and kept aside.
    await writeFile(lockFile, JSON.stringify({ version: 1, runId: 'odd-run', pid: deadPid(), x: [1] }));
    const lock = await acquire(lockFile, 'run-new');
    expect(lock.recoveredStale?.reason).toBe('process-gone');
    expect(path.basename(lock.recoveredStale!.movedTo)).toMatch(/^active-run\.json\.stale-odd-run-/);
  });

  it('leaves a lock written by a newer version alone and writes nothing', async () => {
    const dir = await tempDir();
    const lockFile = path.join(dir, 'active-run.json');
    const newer = JSON.stringify({ ...oldLock({ pid: deadPid() }), version: 2, lease: 'x' });
    await writeFile(lockFile, newer);
    const attempt = acquire(lockFile, 'run-new');
    await expect(attempt).rejects.toBeInstanceOf(NewerVersionError);
    await expect(attempt).rejects.toThrow(`${lockFile} was written by a newer pi-harness (format version 2`);
    expect(await readFile(lockFile, 'utf8')).toBe(newer);
    expect(await readdir(dir)).toEqual(['active-run.json']);
  });

  it('respects a live lock from another host until its heartbeat goes silent', async () => {
    const lockFile = path.join(await tempDir(), 'active-run.json');
    await writeFile(lockFile, JSON.stringify(oldLock({ hostname: 'elsewhere', pid: deadPid() })));
    await expect(acquire(lockFile, 'run-new')).rejects.toBeInstanceOf(LockHeldError);
    await writeFile(
      lockFile,
      JSON.stringify(oldLock({ hostname: 'elsewhere', heartbeatAt: new Date(Date.now() - 3_600_000).toISOString() })),
    );
    expect((await acquire(lockFile, 'run-new')).recoveredStale?.reason).toBe('foreign-host-silent');
  });

  it('lets exactly one of many concurrent starters win, with or without a stale lock', async () => {
    for (let round = 0; round < 15; round++) {
      const dir = await tempDir();
      const lockFile = path.join(dir, 'active-run.json');
      if (round % 2 === 1) await writeFile(lockFile, JSON.stringify(oldLock({ pid: deadPid() })));
      const ids = Array.from({ length: 8 }, (_, i) => `run-${round}-${i}`);
      const results = await Promise.allSettled(ids.map((id) => acquire(lockFile, id)));
      const winners = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      expect((await readLock(lockFile)).runId).toBe(winner.record.runId);
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(LockHeldError);
          expect((result.reason as LockHeldError).holder.runId).toBe(winner.record.runId);
        }
      }
      const files = await readdir(dir);
      expect(files.filter((name) => name.includes('.stale-'))).toHaveLength(round % 2); // one copy of the stale lock
      expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
      await winner.release();
    }
  });
});

/** Node runs the TypeScript source directly (type stripping); this hook maps `./x.js` imports to `./x.ts`. */
const TS_HOOK = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(
    `data:text/javascript,${encodeURIComponent(
      `export async function resolve(s, c, n) { try { return await n(s, c); } catch (e) { if (s.startsWith('.') && s.endsWith('.js')) return n(s.slice(0, -3) + '.ts', c); throw e; } }`,
    )}`,
  )});`,
)}`;

/**
 * A separate process that loads the lock module, says `ready`, waits for `go` on stdin, tries to
 * take the lock and prints the outcome; a winner holds the lock until `release` arrives. The
 * parent sends `go` only once every starter is ready and `release` only once every starter has
 * answered, so the outcome does not depend on how fast a loaded machine starts processes (with a
 * fixed holding time, a starter that began after the winner had released would win too).
 */
interface Starter {
  ready: Promise<void>;
  answer: Promise<string>;
  send(line: string): void;
  exited: Promise<void>;
}

function starterProcess(lockFile: string, runId: string): Starter {
  const lockModule = pathToFileURL(path.resolve('src/runtime/lock.ts')).href;
  const code = `
    const { acquireRunLock, LockHeldError } = await import(${JSON.stringify(lockModule)});
    const { createInterface } = await import('node:readline');
    const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
    console.log('ready');
    await lines.next();
    try {
      const lock = await acquireRunLock({ lockFile: ${JSON.stringify(lockFile)}, runId: ${JSON.stringify(runId)}, command: 'child', heartbeatIntervalMs: 0 });
      console.log('won ' + ${JSON.stringify(runId)});
      await lines.next();
      await lock.release();
    } catch (error) {
      console.log(error instanceof LockHeldError ? 'held ' + error.holder.runId : 'error ' + error.message);
    }
    process.exit(0);`;
  const args = ['--no-warnings', '--import', TS_HOOK, '--input-type=module', '-e', code];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  // A starter that lost exits as soon as it has answered, so the later 'release' may meet a closed
  // pipe (EPIPE): that says nothing about the lock, and must not become an uncaught error.
  child.stdin!.on('error', () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => ((await lines.next()).value as string | undefined) ?? 'no answer';
  const ready = next().then((line) => {
    if (line !== 'ready') throw new Error(`starter ${runId}: ${line}`);
  });
  return {
    ready,
    answer: ready.then(next),
    send: (line) => child.stdin!.write(`${line}\n`),
    exited: new Promise((resolve) => child.on('exit', () => resolve(clearTimeout(timer)))),
  };
}

describe('acquireRunLock across processes', () => {
  it('lets exactly one of several starting processes win, with or without a stale lock', async () => {
    for (const withStale of [false, true]) {
      const dir = await tempDir();
      const lockFile = path.join(dir, 'active-run.json');
      if (withStale) await writeFile(lockFile, JSON.stringify(oldLock({ pid: deadPid() })));
      const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
      const starters = ids.map((id) => starterProcess(lockFile, id));
      await Promise.all(starters.map((starter) => starter.ready));
      for (const starter of starters) starter.send('go');
      const outputs = await Promise.all(starters.map((starter) => starter.answer));
      for (const starter of starters) starter.send('release');
      await Promise.all(starters.map((starter) => starter.exited));
      const winners = outputs.filter((line) => line.startsWith('won '));
      expect(winners, outputs.join('\n')).toHaveLength(1);
      const winner = winners[0]!.slice(4);
      expect(outputs.filter((line) => line !== `won ${winner}`)).toEqual(
        ids.filter((id) => id !== winner).map(() => `held ${winner}`),
      );
      expect(existsSync(lockFile)).toBe(false); // the winner released it
    }
  }, 120_000);
});

describe('RunLock', () => {
  it('heartbeats on an unref’d timer and records status changes atomically', async () => {
    const lockFile = path.join(await tempDir(), 'active-run.json');
    const lock = await acquire(lockFile, 'run-a', { heartbeatIntervalMs: 20 });
    const first = (await readLock(lockFile)).heartbeatAt;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await readLock(lockFile)).heartbeatAt > first).toBe(true);
    expect((lock as unknown as { timer: NodeJS.Timeout }).timer.hasRef()).toBe(false);
    await lock.setStatus('iteration 2: tester');
    expect(await readLock(lockFile)).toMatchObject({ runId: 'run-a', status: 'iteration 2: tester' });
    expect(await lock.release()).toBe(true);
    expect(existsSync(lockFile)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(existsSync(lockFile)).toBe(false); // no heartbeat after release recreates it
  });

  it('keeps a projection naming the real lock current, recreates it, and removes it on release', async () => {
    const dir = await tempDir();
    const lockFile = path.join(dir, 'git', 'lock.json');
    const projection = path.join(dir, 'runtime', 'active-run.json');
    const lock = await acquireRunLock({ lockFile, runId: 'run-a', command: 'c', heartbeatIntervalMs: 0, projection });
    held.push(lock);
    expect(JSON.parse(await readFile(projection, 'utf8'))).toMatchObject({ runId: 'run-a', lockFile });
    await rm(path.dirname(projection), { recursive: true }); // an agent's rm -rf of the runtime dir
    await lock.setStatus('iteration 2');
    expect(JSON.parse(await readFile(projection, 'utf8'))).toMatchObject({ status: 'iteration 2', lockFile });
    expect(await lock.release()).toBe(true);
    expect(existsSync(projection)).toBe(false);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('never removes or overwrites a lock that is no longer ours', async () => {
    const lockFile = path.join(await tempDir(), 'active-run.json');
    const lock = await acquire(lockFile, 'run-a');
    const other = JSON.stringify(oldLock({ runId: 'run-other' }));
    await writeFile(lockFile, other);
    await expect(lock.heartbeat()).rejects.toThrow(/no longer held by run run-a/);
    expect(await lock.release()).toBe(false);
    expect(await readFile(lockFile, 'utf8')).toBe(other);
  });
});
