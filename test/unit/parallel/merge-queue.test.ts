import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromObject } from '../../../src/config/load.js';
import { Journal } from '../../../src/journal/writer.js';
import { RunIntegrity } from '../../../src/loop/integrity-run.js';
import { addWorktree, removeWorktree, workerBranch, worktreesRoot } from '../../../src/parallel/worktrees.js';
import { parseTasks, type Task } from '../../../src/tasks/index.js';
import type { CommandResult } from '../../../src/verify/run-command.js';
import { worktreeFingerprint } from '../../../src/workspace/fingerprint.js';
import { gitSync, makeRepo } from '../../helpers/git-repo.js';
import { testMergeQueue } from '../../helpers/merge-queue.js';

const TODOS = '# Phase one\n\n- [ ] Add alpha\n- [ ] Add beta\n';
const RUN = 'run-1';
const roots: string[] = [];

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

async function setUp(testCommand = '', integrity?: RunIntegrity) {
  const repo = await makeRepo({ 'TODOS.md': TODOS, 'shared.txt': 'one\ntwo\nthree\n' });
  roots.push(worktreesRoot(repo));
  const { config } = configFromObject({ testCommand }, null, repo, {});
  const journal = new Journal(path.join(repo, '.pi-harness', 'journal.jsonl'), RUN);
  const events: { type: string; outcome?: string; worker?: string; verification?: unknown }[] = [];
  journal.onEvent((event) => events.push(event));
  const queue = testMergeQueue({ config, journal, runId: RUN, ...(integrity ? { integrity } : {}) });
  const tasks = parseTasks(TODOS).tasks;
  return { repo, queue, events, tasks, base: gitSync(repo, 'rev-parse', 'HEAD').trim() };
}

/** What a worker leaves: its task done in its own worktree, ticked there, committed on its branch. */
async function work(repo: string, iteration: number, task: Task, files: Record<string, string>) {
  const dir = path.join(worktreesRoot(repo), RUN, String(iteration));
  const base = gitSync(repo, 'rev-parse', 'HEAD').trim();
  await addWorktree({ repoRoot: repo, dir, branch: workerBranch(RUN, iteration), base });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const todos = await readFile(path.join(dir, 'TODOS.md'), 'utf8');
  await writeFile(path.join(dir, 'TODOS.md'), todos.replace(`- [ ] ${task.text}`, `- [x] ${task.text}`));
  gitSync(dir, 'add', '-A');
  gitSync(dir, 'commit', '-qm', task.text);
  return { dir, base, from: gitSync(dir, 'rev-parse', 'HEAD').trim() };
}

/** What a worker's passing verification tells the run: its tree's content, the task file left out. */
async function verifiedIn(integrity: RunIntegrity, dir: string): Promise<void> {
  const passed: CommandResult = {
    outcome: 'passed',
    command: 'false',
    exitCode: 0,
    signal: null,
    output: '',
    droppedBytes: 0,
    durationMs: 1,
  };
  integrity.remember(await worktreeFingerprint(dir, ['TODOS.md']), passed);
}

describe('merge queue', () => {
  it("reuses a worker's passing verification only for a merged tree with exactly its content", async () => {
    // The test command fails wherever it runs: a merge passes only when it is not run.
    const integrity = new RunIntegrity();
    const { repo, queue, tasks, events } = await setUp('false', integrity);
    const [alpha, beta] = tasks as [Task, Task];
    const a = await work(repo, 1, alpha, { 'alpha.txt': 'alpha\n' });
    const b = await work(repo, 2, beta, { 'beta.txt': 'beta\n' });
    await verifiedIn(integrity, a.dir);
    await verifiedIn(integrity, b.dir);
    // Nothing merged since alpha's base: the merged tree is the one its worker verified.
    const first = await queue.merge({ worker: 'w1', iteration: 1, task: alpha, from: a.from, base: a.base });
    expect(first).toMatchObject({ outcome: 'merged', verification: 'reused' });
    // Beta lands on alpha's change: a tree no one tested, so the test command runs (and fails).
    const second = await queue.merge({ worker: 'w2', iteration: 2, task: beta, from: b.from, base: b.base });
    expect(second.outcome).toBe('verify_failed');
    expect(events.filter((e) => e.type === 'merge').map((e) => [e.outcome, e.verification])).toEqual([
      ['merged', 'reused'],
      ['verify_failed', undefined],
    ]);
  });

  it('merges two independent tasks from the same base, ticking each on the start branch', async () => {
    const { repo, queue, tasks, events } = await setUp();
    const [alpha, beta] = tasks as [Task, Task];
    const a = await work(repo, 1, alpha, { 'alpha.txt': 'alpha\n' });
    const b = await work(repo, 2, beta, { 'beta.txt': 'beta\n' });
    const first = await queue.merge({ worker: 'w1', iteration: 1, task: alpha, from: a.from, base: a.base });
    const second = await queue.merge({ worker: 'w2', iteration: 2, task: beta, from: b.from, base: b.base });
    expect(first.outcome).toBe('merged');
    expect(second.outcome).toBe('merged');
    // The user's work tree moved with the branch, and both ticks are there without a conflict.
    expect(await readFile(path.join(repo, 'alpha.txt'), 'utf8')).toBe('alpha\n');
    expect(await readFile(path.join(repo, 'beta.txt'), 'utf8')).toBe('beta\n');
    expect(await readFile(path.join(repo, 'TODOS.md'), 'utf8')).toBe(
      '# Phase one\n\n- [x] Add alpha\n- [x] Add beta\n',
    );
    expect(gitSync(repo, 'status', '--porcelain', '--untracked-files=no')).toBe('');
    expect(gitSync(repo, 'log', '--format=%s', 'main').split('\n').slice(0, 2)).toEqual(['Add beta', 'Add alpha']);
    expect(gitSync(repo, 'log', '-1', '--format=%an', 'main').trim()).toBe('Test Author');
    expect(events.filter((e) => e.type === 'merge').map((e) => e.outcome)).toEqual(['merged', 'merged']);
    // Each worker's own commit is recorded, so its worktree can be removed without losing it.
    const removed = await removeWorktree({
      repoRoot: repo,
      dir: a.dir,
      startBranch: 'refs/heads/main',
      rescueRef: `refs/pi-harness/rescue/${RUN}/1`,
    });
    // The merge record holds it; so may the start branch, when the merged commit came out identical to
    // the worker's (same tree, parent, message, identity and second).
    expect(removed.head).toBe(a.from);
    expect([`refs/pi-harness/merged/${RUN}/1`, 'refs/heads/main']).toContain(removed.keptIn);
    expect(gitSync(repo, 'rev-parse', `refs/pi-harness/merged/${RUN}/1`).trim()).toBe(a.from);
    expect(existsSync(a.dir)).toBe(false);
    expect(gitSync(repo, 'for-each-ref', '--format=%(refname)', 'refs/heads/pi-harness/').trim()).toBe(
      `refs/heads/pi-harness/${RUN}/2`,
    );
  });

  it('refuses a task whose change conflicts with one merged before it, leaving the branch as it was', async () => {
    const { repo, queue, tasks } = await setUp();
    const [alpha, beta] = tasks as [Task, Task];
    const a = await work(repo, 1, alpha, { 'shared.txt': 'one\nALPHA\nthree\n' });
    const b = await work(repo, 2, beta, { 'shared.txt': 'one\nBETA\nthree\n' });
    expect((await queue.merge({ worker: 'w1', iteration: 1, task: alpha, ...a })).outcome).toBe('merged');
    const tip = gitSync(repo, 'rev-parse', 'main').trim();
    const second = await queue.merge({ worker: 'w2', iteration: 2, task: beta, ...b });
    expect(second).toMatchObject({ outcome: 'conflict', onto: tip });
    expect(second.outcome === 'conflict' && second.detail).toContain('shared.txt');
    expect(gitSync(repo, 'rev-parse', 'main').trim()).toBe(tip);
    expect(await readFile(path.join(repo, 'shared.txt'), 'utf8')).toBe('one\nALPHA\nthree\n');
    // The refused work is not lost: removing its worktree keeps its commit in a rescue ref.
    const removed = await removeWorktree({
      repoRoot: repo,
      dir: b.dir,
      startBranch: 'refs/heads/main',
      rescueRef: `refs/pi-harness/rescue/${RUN}/2`,
    });
    expect(removed.keptIn).toBe(`refs/pi-harness/rescue/${RUN}/2`);
    expect(gitSync(repo, 'show', `${removed.keptIn}:shared.txt`)).toBe('one\nBETA\nthree\n');
  });

  it('refuses a task whose merged tree fails verification', async () => {
    const { repo, queue, tasks } = await setUp('test ! -e alpha.txt || test ! -e beta.txt');
    const [alpha, beta] = tasks as [Task, Task];
    const a = await work(repo, 1, alpha, { 'alpha.txt': 'alpha\n' });
    const b = await work(repo, 2, beta, { 'beta.txt': 'beta\n' });
    expect((await queue.merge({ worker: 'w1', iteration: 1, task: alpha, ...a })).outcome).toBe('merged');
    const tip = gitSync(repo, 'rev-parse', 'main').trim();
    const second = await queue.merge({ worker: 'w2', iteration: 2, task: beta, ...b });
    expect(second.outcome).toBe('verify_failed');
    expect(gitSync(repo, 'rev-parse', 'main').trim()).toBe(tip);
    expect(existsSync(path.join(repo, 'beta.txt'))).toBe(false);
  });

  it("lets a worker's guardrails compare refs only while the start branch is where mergedTip says", async () => {
    const { repo, queue, tasks, base } = await setUp();
    const [alpha, beta] = tasks as [Task, Task];
    const a = await work(repo, 1, alpha, { 'alpha.txt': 'alpha\n' });
    const b = await work(repo, 2, beta, { 'beta.txt': 'beta\n' });
    // A worker's guard looking over and over while both merges move the branch: each look must
    // find the branch at the tip the queue declares (or at the base before the first merge), never
    // halfway through a move, which the guard would take for an agent's and put back.
    const seen: { branch: string; declared: string }[] = [];
    let merging = true;
    const looks = (async () => {
      while (merging)
        await queue.holdingTip(async () => {
          const branch = gitSync(repo, 'rev-parse', 'main').trim();
          seen.push({ branch, declared: queue.mergedTip ?? base });
          await new Promise((resolve) => setTimeout(resolve, 1));
        });
    })();
    const first = queue.merge({ worker: 'w1', iteration: 1, task: alpha, ...a });
    const second = queue.merge({ worker: 'w2', iteration: 2, task: beta, ...b });
    expect((await first).outcome).toBe('merged');
    expect((await second).outcome).toBe('merged');
    merging = false;
    await looks;
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.filter((look) => look.branch !== look.declared)).toEqual([]);
    expect(queue.mergedTip).toBe(gitSync(repo, 'rev-parse', 'main').trim());
  });

  it('never removes a worktree with uncommitted work', async () => {
    const { repo, tasks } = await setUp();
    const a = await work(repo, 1, tasks[0]!, { 'alpha.txt': 'alpha\n' });
    await writeFile(path.join(a.dir, 'loose.txt'), 'not committed\n');
    await expect(
      removeWorktree({ repoRoot: repo, dir: a.dir, startBranch: 'refs/heads/main', rescueRef: 'refs/pi-harness/x' }),
    ).rejects.toThrow(/uncommitted changes/);
    expect(existsSync(path.join(a.dir, 'loose.txt'))).toBe(true);
  });
});
