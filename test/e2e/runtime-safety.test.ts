/**
 * Runs that lose nothing: a second run while one is active, SIGINT mid-turn, and
 * SIGKILL of the harness mid-turn followed by a run that recovers. The harness runs as a real
 * child process (the built CLI) against the in-process scripted model.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { homeOf } from '../helpers/harness-home.js';
import { processesMatching } from '../helpers/processes.js';
import { loopRepo, say, write, type LoopRepo } from './loop-helpers.js';

const TASKS = '- [ ] Write the notes\n- [ ] Later\n';

const setup = closedAfterEach(loopRepo);

/** Developer writes notes.txt, then the model goes silent for a long time (a turn in flight). */
function stallingRepo(): Promise<LoopRepo> {
  return setup({
    tasks: TASKS,
    plans: {
      developer: [
        [write('notes.txt', 'work in progress\n'), { kind: 'stall', seconds: 60 }],
        [write('notes.txt', 'finished notes\n'), say('Wrote notes.txt.')],
      ],
      tester: [[say('VERDICT: PASS')]],
    },
  });
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const lockFile = async (r: LoopRepo) => (await homeOf(r.repo)).lockFile;
/** The lock's projection in the runtime dir: present while a run holds the lock. */
const lockProjection = (r: LoopRepo) => path.join(r.repo, '.pi-harness', 'active-run.json');
const rescueRefs = (r: LoopRepo) =>
  gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim().split('\n').filter(Boolean);

describe('runs that lose nothing', () => {
  it('a second run exits 3 naming the holder; SIGINT then stops the first with 130, work rescued, lock released', {
    timeout: 60_000,
  }, async () => {
    const r = await stallingRepo();
    const first = r.spawnCli('once');
    await until(() => existsSync(path.join(r.repo, 'notes.txt')), 20_000, 'the developer to write notes.txt');

    const second = await r.run('once');
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`pid ${first.proc.pid}`);
    expect(second.stderr).toContain('pi-harness once');

    const stoppedAt = Date.now();
    first.proc.kill('SIGINT');
    expect(await first.exited).toBe(130);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(existsSync(await lockFile(r))).toBe(false);
    expect(existsSync(lockProjection(r))).toBe(false);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    const refs = rescueRefs(r);
    expect(refs).toHaveLength(1);
    expect(r.show(refs[0]!, 'notes.txt')).toBe('work in progress\n');
    expect(processesMatching(r.repo)).toEqual([]);
  });

  it('SIGHUP (the terminal went away) stops like SIGTERM: 130, work rescued, lock released', {
    timeout: 60_000,
  }, async () => {
    const r = await stallingRepo();
    const first = r.spawnCli('once');
    await until(() => existsSync(path.join(r.repo, 'notes.txt')), 20_000, 'the developer to write notes.txt');
    first.proc.kill('SIGHUP');
    expect(await first.exited).toBe(130);
    expect(existsSync(await lockFile(r))).toBe(false);
    expect(existsSync(lockProjection(r))).toBe(false);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    expect(r.show(rescueRefs(r)[0]!, 'notes.txt')).toBe('work in progress\n');
    expect(processesMatching(r.repo)).toEqual([]);
  });

  it('a closed stdout (once | head -1) stops the output, never the run', { timeout: 60_000 }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('notes.txt', 'notes\n'), say('Wrote notes.txt.')]],
        tester: [[say('VERDICT: PASS')]],
      },
    });
    const first = r.spawnCli('once');
    // Like `head -1`: read the first output, then close the pipe.
    await until(() => first.output().length > 0, 20_000, 'the first output');
    first.proc.stdout!.destroy();
    expect(await first.exited).toBe(0);
    expect(r.log()[0]).toMatch(/Write the notes/);
    expect(r.show('HEAD', 'TODOS.md')).toContain('- [x] Write the notes');
    expect(existsSync(await lockFile(r))).toBe(false);
    expect(existsSync(lockProjection(r))).toBe(false);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });

  it('kill -9 mid-turn leaves no pi behind; the next run recovers the work and retries the task', {
    timeout: 60_000,
  }, async () => {
    const r = await stallingRepo();
    const first = r.spawnCli('once');
    await until(() => existsSync(path.join(r.repo, 'notes.txt')), 20_000, 'the developer to write notes.txt');
    first.proc.kill('SIGKILL');
    await first.exited;
    await until(() => processesMatching(r.repo).length === 0, 8_000, 'pi and its tools to exit after the harness died');
    // The dead run's lock is still there; the next run must find it stale and recover.
    expect(existsSync(await lockFile(r))).toBe(true);

    const next = await r.run('once');
    expect(next.stdout).toMatch(/recovered a stale lock/);
    expect(next.stdout).toMatch(/recovering: iteration 1 .*did not finish/);
    expect(next.code).toBe(0);
    expect(r.show(rescueRefs(r)[0]!, 'notes.txt')).toBe('work in progress\n');
    expect(r.show('HEAD', 'notes.txt')).toBe('finished notes\n');
    expect(r.show('HEAD', 'TODOS.md')).toContain('- [x] Write the notes');
    const state = JSON.parse(readFileSync((await homeOf(r.repo)).stateFile, 'utf8'));
    expect(
      Object.values(state.tasks)
        .map((t: any) => t.lastStatus)
        .sort(),
    ).toEqual(['succeeded']);
    expect(Object.values(state.tasks).map((t: any) => t.attempts)).toEqual([2]);
  });
});
