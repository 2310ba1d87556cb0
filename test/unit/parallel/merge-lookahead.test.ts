/**
 * The merge queue's look-ahead: a merge queued behind another is replayed onto the commit the one
 * ahead will land as and verified beside it, yet the start branch still moves one verified merge at
 * a time, and a merge whose replay rested on a refused one is replayed and verified again.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromObject } from '../../../src/config/load.js';
import { Journal } from '../../../src/journal/writer.js';
import { addWorktree, workerBranch, worktreesRoot } from '../../../src/parallel/worktrees.js';
import { parseTasks, type Task } from '../../../src/tasks/index.js';
import { gitSync, makeRepo } from '../../helpers/git-repo.js';
import { testMergeQueue } from '../../helpers/merge-queue.js';

const TODOS = '# Phase one\n\n- [ ] Add alpha\n- [ ] Add beta\n- [ ] Add gamma\n';
const RUN = 'run-1';
const roots: string[] = [];

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/**
 * A repository whose test command logs each run's start and end (outside the repository, with the
 * files it saw), failing when `failIf` exists in the tree. It takes `seconds`, or with `together`
 * waits until that many runs have started (10 s at most): runs that overlap all end at once, runs
 * one after the other time out and end apart.
 */
async function setUp(options: { lookahead: number; seconds?: number; together?: number; failIf?: string }) {
  const repo = await makeRepo({ 'TODOS.md': TODOS, 'shared.txt': 'one\ntwo\nthree\n' });
  const logDir = await mkdtemp(path.join(tmpdir(), 'merge-lookahead-'));
  roots.push(worktreesRoot(repo), logDir);
  const log = path.join(logDir, 'runs.log');
  const fail = options.failIf ? ` && test ! -e ${options.failIf}` : '';
  const wait = options.together
    ? `i=0; while [ "$(grep -c start ${log})" -lt ${options.together} ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done`
    : `sleep ${options.seconds ?? 0}`;
  const testCommand = `echo "start $(ls | tr '\\n' ' ')" >> ${log} && ${wait} && echo end >> ${log}${fail}`;
  const { config } = configFromObject({ testCommand }, null, repo, {});
  const journal = new Journal(path.join(repo, '.pi-harness', 'journal.jsonl'), RUN);
  const queue = testMergeQueue({ config, journal, runId: RUN, lookahead: options.lookahead });
  const runs = async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  return { repo, queue, tasks: parseTasks(TODOS).tasks, runs };
}

/** A worker's passing commit for `task` on its own branch from the start branch's tip. */
async function work(repo: string, iteration: number, task: Task, files: Record<string, string>) {
  const dir = path.join(worktreesRoot(repo), RUN, String(iteration));
  const base = gitSync(repo, 'rev-parse', 'HEAD').trim();
  await addWorktree({ repoRoot: repo, dir, branch: workerBranch(RUN, iteration), base });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  gitSync(dir, 'add', '-A');
  gitSync(dir, 'commit', '-qm', task.text);
  return { worker: `w${iteration}`, iteration, task, base, from: gitSync(dir, 'rev-parse', 'HEAD').trim() };
}

const files = (tree: string[], repo: string, ref: string) =>
  gitSync(repo, 'ls-tree', '--name-only', ref)
    .split('\n')
    .filter((name) => tree.includes(name));

describe('merge queue look-ahead', () => {
  it('verifies the merges queued behind one beside it, and lands them in order, each tree verified', async () => {
    const { repo, queue, tasks, runs } = await setUp({ lookahead: 3, together: 3 });
    const [alpha, beta, gamma] = tasks as [Task, Task, Task];
    const requests = [
      await work(repo, 1, alpha, { 'alpha.txt': 'a\n' }),
      await work(repo, 2, beta, { 'beta.txt': 'b\n' }),
      await work(repo, 3, gamma, { 'gamma.txt': 'c\n' }),
    ];
    const results = await Promise.all(requests.map((request) => queue.merge(request)));

    expect(results.map((result) => result.outcome)).toEqual(['merged', 'merged', 'merged']);
    const log = await runs();
    // Three test runs, all started before the first ended.
    expect(log.filter((line) => line.startsWith('start'))).toHaveLength(3);
    expect(log.slice(0, 3).every((line) => line.startsWith('start'))).toBe(true);
    // Each run saw the tree its merge lands as: the merges ahead of it included.
    const seen = log
      .filter((line) => line.startsWith('start'))
      .map((line) => line.split(' ').filter((f) => f.endsWith('.txt')));
    expect(seen.map((tree) => tree.filter((f) => f !== 'shared.txt').sort())).toEqual(
      expect.arrayContaining([['alpha.txt'], ['alpha.txt', 'beta.txt'], ['alpha.txt', 'beta.txt', 'gamma.txt']]),
    );
    // The branch moved one merge at a time: each merge onto the one before it.
    const [first, second, third] = results.map((result) => (result.outcome === 'merged' ? result : undefined));
    expect(second?.onto).toBe(first?.commit);
    expect(third?.onto).toBe(second?.commit);
    expect(gitSync(repo, 'rev-parse', 'main').trim()).toBe(third?.commit);
    expect(gitSync(repo, 'log', '--format=%s', 'main').split('\n').slice(0, 3)).toEqual([
      'Add gamma',
      'Add beta',
      'Add alpha',
    ]);
    expect(await readFile(path.join(repo, 'TODOS.md'), 'utf8')).toBe(TODOS.replaceAll('- [ ]', '- [x]'));
    expect(files(['alpha.txt', 'beta.txt'], repo, `${first?.commit}`)).toEqual(['alpha.txt']);
  });

  it('runs one merge after the other with a look-ahead of 1', async () => {
    const { repo, queue, tasks, runs } = await setUp({ lookahead: 1, seconds: 0.3 });
    const [alpha, beta] = tasks as [Task, Task];
    const a = await work(repo, 1, alpha, { 'alpha.txt': 'a\n' });
    const b = await work(repo, 2, beta, { 'beta.txt': 'b\n' });
    const results = await Promise.all([queue.merge(a), queue.merge(b)]);
    expect(results.map((result) => result.outcome)).toEqual(['merged', 'merged']);
    expect((await runs()).map((line) => line.split(' ')[0])).toEqual(['start', 'end', 'start', 'end']);
  });

  it('replays and verifies again a merge whose replay rested on one refused by its tests', async () => {
    const { repo, queue, tasks, runs } = await setUp({ lookahead: 2, seconds: 0.5, failIf: 'alpha.txt' });
    const [alpha, beta] = tasks as [Task, Task];
    const a = await work(repo, 1, alpha, { 'alpha.txt': 'a\n' });
    const b = await work(repo, 2, beta, { 'beta.txt': 'b\n' });
    const base = gitSync(repo, 'rev-parse', 'main').trim();
    const [first, second] = await Promise.all([queue.merge(a), queue.merge(b)]);

    expect(first.outcome).toBe('verify_failed');
    expect(second).toMatchObject({ outcome: 'merged', onto: base });
    // Beta's first run saw alpha's file (the look-ahead); the run that counts, on the real tip, did not.
    const starts = (await runs()).filter((line) => line.startsWith('start'));
    expect(starts).toHaveLength(3);
    expect(starts.filter((line) => line.includes('beta.txt') && line.includes('alpha.txt'))).toHaveLength(1);
    expect(existsSync(path.join(repo, 'alpha.txt'))).toBe(false);
    expect(await readFile(path.join(repo, 'beta.txt'), 'utf8')).toBe('b\n');
    expect(await readFile(path.join(repo, 'TODOS.md'), 'utf8')).toBe(TODOS.replace('- [ ] Add beta', '- [x] Add beta'));
  });

  it('merges a change that conflicted only with the refused merge ahead of it', async () => {
    const { repo, queue, tasks } = await setUp({ lookahead: 2, seconds: 0.3, failIf: 'alpha.txt' });
    const [alpha, beta] = tasks as [Task, Task];
    const a = await work(repo, 1, alpha, { 'alpha.txt': 'a\n', 'shared.txt': 'one\nALPHA\nthree\n' });
    const b = await work(repo, 2, beta, { 'shared.txt': 'one\nBETA\nthree\n' });
    const [first, second] = await Promise.all([queue.merge(a), queue.merge(b)]);
    expect(first.outcome).toBe('verify_failed');
    expect(second.outcome).toBe('merged');
    expect(await readFile(path.join(repo, 'shared.txt'), 'utf8')).toBe('one\nBETA\nthree\n');
  });

  it('refuses a change that conflicts with the merge ahead of it once that one landed', async () => {
    const { repo, queue, tasks } = await setUp({ lookahead: 2, seconds: 0.3 });
    const [alpha, beta] = tasks as [Task, Task];
    const a = await work(repo, 1, alpha, { 'shared.txt': 'one\nALPHA\nthree\n' });
    const b = await work(repo, 2, beta, { 'shared.txt': 'one\nBETA\nthree\n' });
    const [first, second] = await Promise.all([queue.merge(a), queue.merge(b)]);
    expect(first.outcome).toBe('merged');
    expect(second).toMatchObject({ outcome: 'conflict', onto: first.outcome === 'merged' ? first.commit : '' });
    expect(second.outcome === 'conflict' && second.detail).toContain('shared.txt');
    expect(await readFile(path.join(repo, 'shared.txt'), 'utf8')).toBe('one\nALPHA\nthree\n');
  });
});
