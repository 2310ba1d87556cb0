/**
 * The scheduler through the worker interface: fake workers that commit a change in a real worktree
 * (no pi), a real merge queue and a real repository.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { configFromObject } from '../../../src/config/load.js';
import { Journal } from '../../../src/journal/writer.js';
import { JournalFold } from '../../../src/journal/fold/fold.js';
import { ControlDesk } from '../../../src/loop/control-desk.js';
import type { LoopContext } from '../../../src/loop/loop-context.js';
import { Scheduler } from '../../../src/parallel/scheduler.js';
import type { Assignment, Worker, WorkerResult } from '../../../src/parallel/worker.js';
import { WorkerSlot } from '../../../src/parallel/worker-slot.js';
import { worktreesRoot } from '../../../src/parallel/worktrees.js';
import { BudgetGuard } from '../../../src/runtime/budget.js';
import type { RunLock } from '../../../src/runtime/lock.js';
import { harnessHome } from '../../../src/runtime/harness-home.js';
import { emptyState, StateStore } from '../../../src/runtime/state.js';
import { parseTasks } from '../../../src/tasks/index.js';
import { gitSync, makeRepo } from '../../helpers/git-repo.js';
import { testMergeQueue } from '../../helpers/merge-queue.js';

const RUN = 'run-s';
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/**
 * A worker whose "agent" writes `files(assignment)` and commits them on its branch, in one worktree
 * moved from task to task as the local worker's is (WorkerSlot).
 */
function fakeWorker(
  id: string,
  s: { repo: string; ctx: LoopContext },
  files: (a: Assignment) => Record<string, string>,
): Worker {
  const { repo, ctx } = s;
  const slot = new WorkerSlot({
    worker: id,
    repoRoot: repo,
    runId: RUN,
    startBranch: 'refs/heads/main',
    journal: ctx.journal,
  });
  return {
    id,
    start(assignment) {
      const result = (async (): Promise<WorkerResult> => {
        const { dir: worktree, branch } = await slot.take(assignment.iteration, assignment.baseCommit);
        for (const [name, content] of Object.entries(files(assignment)))
          await writeFile(path.join(worktree, name), content);
        gitSync(worktree, 'add', '-A');
        gitSync(worktree, 'commit', '-qm', assignment.task.text);
        const head = gitSync(worktree, 'rev-parse', 'HEAD').trim();
        return { recorded: 'succeeded', reason: 'committed', head, branch, worktree };
      })();
      return { result, cancel: () => undefined };
    },
    close: () => slot.remove(),
  };
}

async function setUp(testCommand: string, tasks: string) {
  const repo = await makeRepo({ 'TODOS.md': tasks });
  roots.push(worktreesRoot(repo));
  const { config } = configFromObject({ testCommand, maxConsecutiveFailures: 10 }, null, repo, {});
  const journal = new Journal(path.join(repo, '.pi-harness', 'runs', RUN, 'journal.jsonl'), RUN);
  const events: { type: string; outcome?: string; from?: string }[] = [];
  journal.onEvent((event) => events.push(event));
  const signal = new AbortController().signal;
  const io = { cwd: repo, env: process.env, stdout: () => undefined, stderr: () => undefined };
  const home = await harnessHome(config);
  const store = new StateStore(home);
  const fold = new JournalFold();
  journal.onEvent((event) => fold.apply(event));
  const control = new ControlDesk({
    journal,
    fold,
    config,
    stopRun: () => undefined,
    setStatus: async () => undefined,
    saveState: (state) => store.save(state),
  });
  const base = { mode: 'run' as const, config, io, signal, runId: RUN, runDir: '', journal, harnessPaths: [] };
  const ctx: LoopContext = { ...base, home, store, fold, control };
  const queue = testMergeQueue({ config, journal, runId: RUN, signal });
  const lock = { setStatus: async () => undefined } as unknown as RunLock;
  const budget = new BudgetGuard({ maxRunSeconds: 0, maxRunTokens: 0, maxTaskTokens: 0, maxRunCostUsd: 0 });
  return { repo, ctx, queue, lock, budget, events };
}

describe('scheduler', () => {
  it('a task whose merged tree fails verification twice is parked, its work rescued, and the run fails', async () => {
    const s = await setUp('! test -f broken.txt', '# P\n\n- [ ] Good task\n- [ ] Bad task\n');
    const files = (a: Assignment): Record<string, string> =>
      a.task.text === 'Bad task' ? { 'broken.txt': 'x\n' } : { 'good.txt': 'ok\n' };
    const redos: (string | undefined)[] = [];
    const workers = ['w1', 'w2'].map((id) => {
      const worker = fakeWorker(id, s, files);
      const start = worker.start.bind(worker);
      worker.start = (a) => {
        if (a.task.text === 'Bad task') redos.push(a.redo);
        return start(a);
      };
      return worker;
    });
    const scheduler = new Scheduler({ ...s, state: emptyState(), workers, startBranch: 'refs/heads/main' });
    const ended = await scheduler.run();
    expect(ended).toMatchObject({ kind: 'ran', result: 'failed', stop: { kind: 'all_parked' }, iterations: 3 });
    expect(ended.kind === 'ran' && ended.succeeded).toBe(1);
    // The second attempt was told why the first was refused.
    expect(redos).toHaveLength(2);
    expect(redos[0]).toBeUndefined();
    expect(redos[1]).toContain('failed verification once merged');
    const bad = parseTasks('- [ ] Bad task\n').tasks[0]!.id;
    expect(scheduler.state.tasks[bad]).toMatchObject({ parked: true, failures: 2 });
    expect(gitSync(s.repo, 'show', 'main:TODOS.md')).toBe('# P\n\n- [x] Good task\n- [ ] Bad task\n');
    // Both refused attempts are kept, and no worktree or worker branch is left behind.
    // (Two attempts from the same base make the same commit, to the second: one ref then holds both.)
    const rescued = gitSync(s.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue/').trim();
    for (const ref of rescued.split('\n')) expect(gitSync(s.repo, 'show', `${ref}:broken.txt`)).toBe('x\n');
    const refused = s.events.filter((e) => e.type === 'merge' && e.outcome === 'verify_failed');
    expect(refused).toHaveLength(2);
    for (const { from } of refused)
      expect(gitSync(s.repo, 'for-each-ref', `--contains=${from}`, 'refs/pi-harness/rescue/').trim()).not.toBe('');
    expect(gitSync(s.repo, 'for-each-ref', 'refs/heads/pi-harness/').trim()).toBe('');
    expect(gitSync(s.repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(2);
    // Each worker's one worktree moved from task to task (three iterations, two workers: one move).
    expect(s.events.filter((e) => e.type === 'worktree_moved')).toHaveLength(1);
    expect(s.events.filter((e) => e.type === 'worktree_removed')).toHaveLength(2);
    // The two first attempts run at once: either may reach the merge queue first.
    expect(
      s.events
        .filter((e) => e.type === 'merge')
        .map((e) => e.outcome)
        .sort(),
    ).toEqual(['merged', 'verify_failed', 'verify_failed']);
  });

  it('a later phase waits until every task of the earlier one is merged', async () => {
    const s = await setUp('', '# One\n\n- [ ] A\n- [ ] B\n\n# Two\n\n- [ ] C\n');
    const order: string[] = [];
    const workers = ['w1', 'w2', 'w3'].map((id) => {
      const worker = fakeWorker(id, s, (a) => ({ [`${a.task.text}.txt`]: a.task.text }));
      const start = worker.start.bind(worker);
      worker.start = (a) => {
        order.push(
          `${a.task.text}@${gitSync(s.repo, 'show', `${a.baseCommit}:TODOS.md`).match(/\[x\]/g)?.length ?? 0}`,
        );
        return start(a);
      };
      return worker;
    });
    const ended = await new Scheduler({ ...s, state: emptyState(), workers, startBranch: 'refs/heads/main' }).run();
    expect(ended).toMatchObject({ kind: 'ran', result: 'succeeded', iterations: 3, succeeded: 3 });
    // A and B started together from nothing ticked; C from a base with both ticked.
    expect(order).toEqual(['A@0', 'B@0', 'C@2']);
  });

  it('a worker takes its next task while its last one is merged; the rescue ref kept meanwhile goes once merged', async () => {
    // A slow verification: the merge of each task takes a second.
    const s = await setUp('sleep 1', '# P\n\n- [ ] A\n- [ ] B\n- [ ] C\n');
    const log: string[] = [];
    s.ctx.journal.onEvent((event) => {
      if (event.type === 'merge') log.push(`merged ${event.task.text}`);
    });
    const worker = fakeWorker('w1', s, (a) => ({ [`${a.task.text}.txt`]: a.task.text }));
    const start = worker.start.bind(worker);
    worker.start = (a) => {
      log.push(`start ${a.task.text}`);
      return start(a);
    };
    const ended = await new Scheduler({
      ...s,
      state: emptyState(),
      workers: [worker],
      startBranch: 'refs/heads/main',
    }).run();
    expect(ended).toMatchObject({ kind: 'ran', result: 'succeeded', iterations: 3, succeeded: 3 });
    // B started before A's merge ended, C before B's.
    expect(log.indexOf('start B')).toBeLessThan(log.indexOf('merged A'));
    expect(log.indexOf('start C')).toBeLessThan(log.indexOf('merged B'));
    expect(gitSync(s.repo, 'show', 'main:TODOS.md')).toBe('# P\n\n- [x] A\n- [x] B\n- [x] C\n');
    // The worktree left A's branch before A was merged: a rescue ref held A's commit until its merge
    // record did; every task merged, none is left.
    const moves = s.events.filter((e) => e.type === 'worktree_moved') as { keptIn?: string }[];
    expect(moves.map((e) => e.keptIn)).toEqual([
      `refs/pi-harness/rescue/${RUN}/1-unmerged`,
      `refs/pi-harness/rescue/${RUN}/2-unmerged`,
    ]);
    expect(gitSync(s.repo, 'for-each-ref', 'refs/pi-harness/rescue/').trim()).toBe('');
    expect(
      gitSync(s.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/merged/').trim().split('\n'),
    ).toHaveLength(3);
  });
});
