/**
 * `run --parallel` end to end: the real CLI and pi, a scripted model playing every worker's
 * developer and tester (each turn recognised by the task its prompt names), temporary git repos.
 */
import { existsSync, readdirSync as listDir } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TurnView } from '../../src/scripted-model/index.js';
import { gitSync } from '../helpers/git-repo.js';
import { homeOf } from '../helpers/harness-home.js';
import { bash, say, write } from './loop-helpers.js';
import {
  eventsOfEveryRun,
  expectEveryTaskDoneAndNothingLeft,
  expectNoWorktreeOrWorkerBranchLeft,
  killRunWithWorkInProgress,
  namedTasksRepo,
  PASS_VERDICT,
  parallelRepoMaker,
  rescuedWork,
  runAgainAfterKill,
  writeFinishedWork,
  writeWorkInProgress,
} from './parallel-helpers.js';

const setup = parallelRepoMaker();

const TASKS = '# Tasks\n\n## Phase one\n\n- [ ] Add alpha\n- [ ] Add beta\n\n## Phase two\n\n- [ ] Add gamma\n';
const PARALLEL = { PI_PARALLEL: '2' };

/** A turn plan that answers by the task its prompt names: `steps[task][step]`. */
function byTask(steps: Record<string, ReturnType<typeof say>[]>) {
  return (view: TurnView) => {
    const task = Object.keys(steps).find((name) => view.prompt.includes(name));
    return (task ? steps[task]![view.step] : undefined) ?? say('Done.');
  };
}

describe('run --parallel', () => {
  it('runs the tasks of a phase at once in worktrees, merges each with its tick, then the next phase', {
    timeout: 180_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: { testCommand: 'test -f base.txt' },
      files: { 'base.txt': 'base\n' },
      plans: {
        developer: [
          byTask({
            'Add alpha': [write('alpha.txt', 'alpha\n'), say('Wrote alpha.txt.')],
            'Add beta': [write('beta.txt', 'beta\n'), say('Wrote beta.txt.')],
            'Add gamma': [bash('test -f alpha.txt && test -f beta.txt && echo gamma > gamma.txt'), say('Done.')],
          }),
        ],
        tester: [byTask({ 'Add alpha': [PASS_VERDICT], 'Add beta': [PASS_VERDICT], 'Add gamma': [PASS_VERDICT] })],
      },
    });
    const result = await r.run('run', PARALLEL);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Gamma ran after both of phase one were merged: its developer found their files.
    for (const file of ['alpha.txt', 'beta.txt', 'gamma.txt']) expect(existsSync(path.join(r.repo, file))).toBe(true);
    expect(await readFile(path.join(r.repo, 'TODOS.md'), 'utf8')).toBe(TASKS.replaceAll('- [ ]', '- [x]'));
    expect(r.log()).toHaveLength(4);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    // Every worktree and worker branch is gone; each worker's commit is held by its merge record.
    expectNoWorktreeOrWorkerBranchLeft(r.repo);
    expect(gitSync(r.repo, 'for-each-ref', 'refs/pi-harness/merged/').trim().split('\n')).toHaveLength(3);
    const events = await eventsOfEveryRun(r.repo);
    const starts = events.filter((e) => e.type === 'worker_start');
    expect(new Set(starts.map((e) => e.worker))).toEqual(new Set(['w1', 'w2']));
    // Phase one's two iterations overlapped: both started before either ended.
    const firstEnd = events.findIndex((e) => e.type === 'iteration_end');
    expect(events.filter((e, i) => e.type === 'iteration_start' && i < firstEnd)).toHaveLength(2);
    expect(events.filter((e) => e.type === 'iteration_start').every((e) => typeof e.worker === 'string')).toBe(true);
    expect(events.filter((e) => e.type === 'merge').map((e) => e.outcome)).toEqual(['merged', 'merged', 'merged']);
    expect(result.stdout).toMatch(/\[w[12]\] +developer turn/);
  });

  it('two tasks editing the same lines: one merges, the other is re-done on top of it; nothing is lost', {
    timeout: 180_000,
  }, async () => {
    const r = await setup({
      tasks: '# Tasks\n\n- [ ] Add alpha\n- [ ] Add beta\n',
      files: { 'shared.txt': 'one\ntwo\nthree\n' },
      plans: {
        developer: [
          (view: TurnView) => {
            const alpha = view.prompt.includes('Add alpha');
            // A redo (told of the conflict) keeps what was merged and adds its own line.
            const redo = view.prompt.includes('conflicted with');
            const content = redo ? 'one\nALPHA\nBETA\nthree\n' : alpha ? 'one\nALPHA\nthree\n' : 'one\nBETA\nthree\n';
            return [write('shared.txt', content), say('Edited shared.txt.')][view.step] ?? say('Done.');
          },
        ],
        tester: [() => PASS_VERDICT],
      },
    });
    const result = await r.run('run', PARALLEL);
    expect(result.stdout + result.stderr).toContain('all tasks done; 2/3 iterations succeeded');
    expect(result.code).toBe(0);
    expect(await readFile(path.join(r.repo, 'shared.txt'), 'utf8')).toBe('one\nALPHA\nBETA\nthree\n');
    expect(await readFile(path.join(r.repo, 'TODOS.md'), 'utf8')).toBe('# Tasks\n\n- [x] Add alpha\n- [x] Add beta\n');
    const events = await eventsOfEveryRun(r.repo);
    const merges = events.filter((e) => e.type === 'merge');
    expect(merges.map((e) => e.outcome)).toEqual(['merged', 'conflict', 'merged']);
    // The conflicting attempt's commit is kept in a rescue ref, not lost.
    const rescued = gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue/').trim();
    expect(rescued).toMatch(/-unmerged$/);
    const conflicted = merges[1]!;
    expect(gitSync(r.repo, 'for-each-ref', `--contains=${conflicted.from}`, 'refs/pi-harness/').trim()).not.toBe('');
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });

  it('a run killed with two iterations in flight: the next run keeps both works, re-does both, leaves no worktree', {
    timeout: 180_000,
  }, async () => {
    const names = ['alpha', 'beta'];
    const r = await namedTasksRepo(setup, {
      names,
      workers: 2,
      // The first two developer turns (the killed run's) write work in progress, then hang.
      developer: (name, view) => (view.occurrence < 2 ? writeWorkInProgress(name) : writeFinishedWork(name)),
    });
    await killRunWithWorkInProgress(r, { names, worktrees: 2, withinMs: 60_000 });
    // Each in-flight iteration recorded itself under the git directory, out of the work tree's reach:
    // removing the runtime directory (as `git clean -fdx` would) loses neither.
    const home = await homeOf(r.repo);
    expect(listDir(path.join(home.dir, 'parallel')).filter((name) => name.endsWith('.state.json'))).toHaveLength(2);
    await rm(path.join(r.repo, '.pi-harness'), { recursive: true, force: true });
    const events = await runAgainAfterKill(r);
    expect(listDir(path.join(home.dir, 'parallel'))).toEqual([]);
    expect(events.filter((e) => e.type === 'crash_recovery').map((e) => e.iteration)).toEqual([1, 2]);
    // Both works in progress are kept in rescue refs, and the tasks were re-done and merged.
    const kept = rescuedWork(r.repo);
    expect(kept).toMatch(/alpha\.txt/);
    expect(kept).toMatch(/beta\.txt/);
    await expectEveryTaskDoneAndNothingLeft(r.repo, names);
  });
});
