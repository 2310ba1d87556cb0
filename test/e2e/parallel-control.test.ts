/**
 * The control commands against `run --parallel 2` (real CLI, real pi, scripted model), from a second
 * process: status sees the run, a pause lets the iterations in flight end and starts no new task,
 * a skip naming a task aborts that worker's iteration only (its work kept, the task parked), and a
 * stop ends every iteration still in flight with its work kept.
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { worktreesRoot } from '../../src/parallel/worktrees.js';
import type { TurnView } from '../../src/scripted-model/index.js';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { eventsOf, Gate, runCommand, status } from './control-helpers.js';
import { loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

const TASKS = '# Tasks\n\n- [ ] Add alpha\n- [ ] Add beta\n- [ ] Add gamma\n';

/** Worktrees of the run holding `file` (the developer's work in progress). */
function worktreesWith(root: string, file: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((run) =>
    readdirSync(path.join(root, run))
      .map((name) => path.join(root, run, name))
      .filter((dir) => existsSync(path.join(dir, file))),
  );
}

async function waitFor(what: string, ready: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await sleep(100);
  }
}

describe('control commands against run --parallel', () => {
  it('status, pause (no new task), skip of one named task, stop of every iteration in flight', {
    timeout: 150_000,
  }, async () => {
    const gates = { alpha: await Gate.make('alpha'), beta: await Gate.make('beta') };
    const r = await setup({
      tasks: TASKS,
      config: { parallel: 2 },
      plans: {
        developer: [
          (view: TurnView) => {
            const name = view.prompt.includes('Add alpha')
              ? 'alpha'
              : view.prompt.includes('Add beta')
                ? 'beta'
                : 'gamma';
            const gate = name === 'gamma' ? say('Done.') : gates[name].wait();
            return [write(`${name}.txt`, `${name} in progress\n`), gate, say('Done.')][view.step] ?? say('Done.');
          },
        ],
        tester: [() => say('VERDICT: PASS')],
      },
    });
    const root = worktreesRoot(r.repo);
    roots.push(root);
    const run = r.spawnCli('run');
    await waitFor('both developers wrote their files', () => {
      return worktreesWith(root, 'alpha.txt').length === 1 && worktreesWith(root, 'beta.txt').length === 1;
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
    await waitFor('the skipped iteration ended', () => eventsOf(r.repo, 'iteration_end').length === 1);
    await sleep(1500);
    expect(eventsOf(r.repo, 'iteration_start')).toHaveLength(2);
    expect(worktreesWith(root, 'alpha.txt')).toHaveLength(1);

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
    expect(gitSync(r.repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });
});
