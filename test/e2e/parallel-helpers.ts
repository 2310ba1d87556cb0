/**
 * What the `run --parallel` end-to-end tests share: repos whose worktrees are cleaned up after each
 * test, a repo of named tasks for N workers, and a run killed with work in progress then recovered.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { readJournalFile } from '../../src/journal/read.js';
import { worktreesRoot } from '../../src/parallel/worktrees.js';
import type { ScriptStep, TurnView } from '../../src/scripted-model/index.js';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { journalsOf } from '../helpers/harness-home.js';
import { processesMatching } from '../helpers/processes.js';
import { type LoopRepo, type LoopRepoOptions, loopRepo, say, write } from './loop-helpers.js';

export const PASS_VERDICT = say('Checked.\n\nVERDICT: PASS');

/**
 * Call once at a test file's top. Makes loop repos for parallel runs; after each test every repo's
 * scripted model and spawned CLI are closed and its worktrees folder, which lives outside the repo,
 * is removed.
 */
export function parallelRepoMaker(): (options: LoopRepoOptions) => Promise<LoopRepo> {
  return closedAfterEach(async (options: LoopRepoOptions) => {
    const r = await loopRepo(options);
    return {
      ...r,
      close: async () => {
        await r.close();
        await rm(worktreesRoot(r.repo), { recursive: true, force: true });
      },
    };
  });
}

/** A TODOS.md of one task `Add <name>` a name, in order. */
const tasksAdding = (names: readonly string[]) => `# Tasks\n\n${names.map((name) => `- [ ] Add ${name}\n`).join('')}`;

/** Which of `names` the turn's task adds (its prompt names it); the first name when none is named. */
const taskNameIn = (names: readonly string[], view: TurnView) =>
  names.find((name) => view.prompt.includes(`Add ${name}`)) ?? names[0]!;

export interface NamedTasksOptions {
  /** One task `Add <name>` each. */
  names: readonly string[];
  workers: number;
  /** The steps of a developer turn for the task adding `name`; after the last, the developer says it is done. */
  developer: (name: string, view: TurnView) => ScriptStep[];
  config?: Record<string, unknown>;
}

/** A repo of `Add <name>` tasks for `workers` workers; every tester turn passes. */
export function namedTasksRepo(
  make: (options: LoopRepoOptions) => Promise<LoopRepo>,
  options: NamedTasksOptions,
): Promise<LoopRepo> {
  const { names, workers, developer } = options;
  return make({
    tasks: tasksAdding(names),
    config: { parallel: workers, ...options.config },
    plans: {
      developer: [(view) => developer(taskNameIn(names, view), view)[view.step] ?? say('Done.')],
      tester: [() => PASS_VERDICT],
    },
  });
}

const IN_PROGRESS = 'in progress';

/** Developer steps leaving `<name>.txt` as work in progress, then hanging until the run is killed or ended. */
export const writeWorkInProgress = (name: string, hold: ScriptStep = { kind: 'stall', seconds: 60 }): ScriptStep[] => [
  write(`${name}.txt`, `${name} ${IN_PROGRESS}\n`),
  hold,
];

/** Developer steps finishing the task: `<name>.txt` holds `<name>`. */
export const writeFinishedWork = (name: string): ScriptStep[] => [write(`${name}.txt`, `${name}\n`), say('Done.')];

/** The run's worktrees (under the repo's worktrees folder) where some `<name>.txt` holds work in progress. */
export function worktreesWithWorkInProgress(repo: string, names: readonly string[]): string[] {
  const root = worktreesRoot(repo);
  if (!existsSync(root)) return [];
  const inProgress = (file: string) => existsSync(file) && readFileSync(file, 'utf8').includes(IN_PROGRESS);
  return readdirSync(root).flatMap((run) =>
    readdirSync(path.join(root, run))
      .map((name) => path.join(root, run, name))
      .filter((dir) => names.some((name) => inProgress(path.join(dir, `${name}.txt`)))),
  );
}

/** Polls `ready` every 100 ms; throws naming `what` when it has not held within `ms`. */
export async function waitUntil(what: string, ready: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await sleep(100);
  }
}

/**
 * Starts `run` as its own process, waits until `worktrees` of its worktrees hold work in progress
 * of `names`, SIGKILLs it and waits (a few seconds at most) for the processes it left to go.
 */
export async function killRunWithWorkInProgress(
  r: LoopRepo,
  options: { names: readonly string[]; worktrees: number; withinMs: number },
): Promise<void> {
  const { proc, exited } = r.spawnCli('run');
  await waitUntil(
    `${options.worktrees} worktrees held work in progress`,
    () => worktreesWithWorkInProgress(r.repo, options.names).length >= options.worktrees,
    options.withinMs,
  );
  proc.kill('SIGKILL');
  await exited;
  const killedDeadline = Date.now() + 8_000;
  while (processesMatching(r.repo).length > 0 && Date.now() < killedDeadline) await sleep(100);
}

/** Every event of every run of the repo, oldest run first (the journals live under the git directory). */
export async function eventsOfEveryRun(repo: string) {
  return (await journalsOf(repo)).flatMap((journal) => readJournalFile(journal).events);
}

/** Runs `run` again after a killed one: it must end well; returns every run's events. */
export async function runAgainAfterKill(r: LoopRepo) {
  const result = await r.run('run');
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return eventsOfEveryRun(r.repo);
}

/** What every rescue ref's commit changed (`git show --stat`), one after another. */
export function rescuedWork(repo: string): string {
  const rescued = gitSync(repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue/').trim();
  return rescued
    .split('\n')
    .map((ref) => gitSync(repo, 'show', '--stat', '--format=', ref))
    .join('');
}

/** Only the main worktree is left, and no worker branch. */
export function expectNoWorktreeOrWorkerBranchLeft(repo: string): void {
  expect(gitSync(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  expect(gitSync(repo, 'for-each-ref', 'refs/heads/pi-harness/').trim()).toBe('');
}

/** Each task's finished work is in the work tree, nothing else is left over and the work tree is clean. */
export async function expectEveryTaskDoneAndNothingLeft(repo: string, names: readonly string[]): Promise<void> {
  for (const name of names) expect(await readFile(path.join(repo, `${name}.txt`), 'utf8')).toBe(`${name}\n`);
  expectNoWorktreeOrWorkerBranchLeft(repo);
  expect(gitSync(repo, 'status', '--porcelain')).toBe('');
}
