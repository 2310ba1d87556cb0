/**
 * The control commands against `run --parallel 2` (real CLI, real pi, scripted model), from a second
 * process: status sees the run, a pause lets the iterations in flight end and starts no new task,
 * a skip naming a task aborts that worker's iteration only (its work kept, the task parked), and a
 * stop ends every iteration still in flight with its work kept.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { gitSync } from '../helpers/git-repo.js';
import { eventsOf, Gate, runCommand, status } from './control-helpers.js';
import { say } from './loop-helpers.js';
import {
  expectNoWorktreeOrWorkerBranchLeft,
  namedTasksRepo,
  parallelRepoMaker,
  waitUntil,
  worktreesWithWorkInProgress,
  writeWorkInProgress,
} from './parallel-helpers.js';

const setup = parallelRepoMaker();

describe('control commands against run --parallel', () => {
  it('status, pause (no new task), skip of one named task, stop of every iteration in flight', {
    timeout: 150_000,
  }, async () => {
    const gates = { alpha: await Gate.make('alpha'), beta: await Gate.make('beta') };
    const r = await namedTasksRepo(setup, {
      names: ['alpha', 'beta', 'gamma'],
      workers: 2,
      // Alpha's and beta's developers hold at their gates with their work in progress; gamma's just writes.
      developer: (name) =>
        writeWorkInProgress(name, name === 'alpha' || name === 'beta' ? gates[name].wait() : say('Done.')),
    });
    const run = r.spawnCli('run');
    const writing = (name: string) => worktreesWithWorkInProgress(r.repo, [name]);
    await waitUntil('both developers wrote their files', () => {
      return writing('alpha').length === 1 && writing('beta').length === 1;
    });

    const busy = await status(r);
    expect(busy.active).toBe(true);

    const pause = await runCommand(r, 'pause');
    expect(pause.code, pause.stderr).toBe(0);
    const skip = await runCommand(r, 'skip', 'beta');
    expect(skip.code, skip.stderr).toBe(0);
    const betaStart = eventsOf(r.repo, 'iteration_start').find((e) => JSON.stringify(e.task).includes('Add beta'));
    expect(skip.stdout).toContain(`aborting iteration ${betaStart?.iteration}`);
    // Beta's iteration ended (skipped, its work kept); alpha's goes on; the pause starts nothing new.
    await waitUntil('the skipped iteration ended', () => eventsOf(r.repo, 'iteration_end').length === 1);
    await sleep(1500);
    expect(eventsOf(r.repo, 'iteration_start')).toHaveLength(2);
    expect(writing('alpha')).toHaveLength(1);

    const stop = await runCommand(r, 'stop');
    expect(stop.code, stop.stderr).toBe(0);
    expect(await run.exited).toBe(130);
    await gates.alpha.open();
    await gates.beta.open();

    const ends = eventsOf(r.repo, 'iteration_end').map((e) => [
      JSON.stringify(e.task).match(/Add \w+/)?.[0],
      e.recorded,
    ]);
    expect(ends).toEqual([
      ['Add beta', 'skipped'],
      ['Add alpha', 'interrupted'],
    ]);
    // Both works in progress are kept in rescue refs; the skipped task is parked; gamma never started.
    const kept = eventsOf(r.repo, 'rescue').map((e) => gitSync(r.repo, 'show', '--stat', '--format=', String(e.ref)));
    expect(kept.join('')).toMatch(/alpha\.txt/);
    expect(kept.join('')).toMatch(/beta\.txt/);
    expect(eventsOf(r.repo, 'task_parked')).toMatchObject([{ cause: 'operator' }]);
    expect(eventsOf(r.repo, 'worker_start')).toHaveLength(2);
    const after = await status(r);
    expect(after.active).toBe(false);
    expect(after.run?.stopReason).toBe('stopped by the operator (pi-harness stop)');
    expectNoWorktreeOrWorkerBranchLeft(r.repo);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });
});
