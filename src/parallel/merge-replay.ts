/**
 * One merge's work in one of the queue's worktrees: the task's change (squashed, the task file left
 * out: squash.ts) replayed onto a given commit, the task ticked there by the harness, committed, and
 * the test command run on the result unless a passing run on exactly that content is known. Nothing
 * here moves the start branch: the queue decides when a replay lands (merge-queue.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/load.js';
import type { Journal } from '../journal/writer.js';
import type { MergeVerification } from '../journal/events.js';
import type { RunIntegrity } from '../loop/integrity-run.js';
import { taskState, tickTaskById, writeTaskFileAtomic, type Task } from '../tasks/index.js';
import { errorMessage } from '../util/errors.js';
import { lastLines } from '../util/text.js';
import { runCommand } from '../verify/run-command.js';
import { toRepoRelative } from '../workspace/changes.js';
import { worktreeFingerprint } from '../workspace/fingerprint.js';
import { git } from '../workspace/git.js';
import { commitTree } from '../workspace/tree-builder.js';
import { squashWithoutTaskFile, type Squashed } from './squash.js';
import { addWorktree } from './worktrees.js';
import { worktreePreparer } from './worktree-setup.js';

export interface MergeRequest {
  worker: string;
  iteration: number;
  task: Task;
  /** The worker's branch tip (its passing commit). */
  from: string;
  /** Where the worker's branch started. */
  base: string;
}

/** A change replayed onto `onto`: its commit there and whether its tests must run, or why it does not apply. */
export type Replay =
  | { kind: 'ready'; onto: string; commit: string; verification: MergeVerification }
  | { kind: 'conflict'; onto: string; detail: string };

export interface MergeReplayOptions {
  config: Config;
  journal: Journal;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** The run's passing verifications by content: a merged tree with one needs no second run. */
  integrity?: RunIntegrity;
}

const OUTPUT_TAIL_LINES = 40;

export class MergeReplayer {
  private readonly options: MergeReplayOptions;

  constructor(options: MergeReplayOptions) {
    this.options = options;
  }

  /** `request`'s change onto `onto` in `dir`, committed there (the worktree's HEAD, detached). */
  async replay(request: MergeRequest, onto: string, dir: string): Promise<Replay> {
    const { config } = this.options;
    const taskFile = toRepoRelative(config.repoRoot, config.taskFile);
    const squashed = await squashWithoutTaskFile({ repoRoot: config.repoRoot, ...request, taskFile });
    await this.resetTree(dir, onto);
    try {
      await git(dir, ['cherry-pick', '--no-commit', squashed.commit]);
    } catch (error) {
      const files = (await git(dir, ['diff', '--name-only', '--diff-filter=U', '-z']).catch(() => ''))
        .split('\0')
        .filter(Boolean);
      await this.resetTree(dir, onto);
      const detail = files.length > 0 ? `conflicting files: ${files.join(', ')}` : errorMessage(error);
      return { kind: 'conflict', onto, detail };
    }
    const ticked = await this.tick(dir, request.task, taskFile);
    if (ticked) return { kind: 'conflict', onto, detail: ticked };
    const commit = await this.commit(dir, squashed, onto);
    const verification = await this.verification(dir, taskFile, onto === request.base);
    return { kind: 'ready', onto, commit, verification };
  }

  /** The test command's verdict on `replay` in `dir` when it needs a run of its own: a failure's tail, else undefined. */
  verdict(replay: Replay, dir: string): Promise<string | undefined> {
    return replay.kind === 'ready' && replay.verification === 'ran' ? this.verify(dir) : Promise.resolve(undefined);
  }

  /** The test command on the replayed tree in `dir`; its output's tail when it fails. */
  async verify(dir: string): Promise<string | undefined> {
    const { config, env, signal } = this.options;
    if (!config.testCommand.trim()) return undefined;
    const result = await runCommand({
      command: config.testCommand,
      cwd: dir,
      timeoutSeconds: config.verificationTimeoutSeconds,
      env,
      signal,
    });
    if (result.outcome === 'passed') return undefined;
    return `${config.testCommand} ${result.outcome} on the merged tree:\n${lastLines(result.output, OUTPUT_TAIL_LINES)}`;
  }

  /** The worktree at `onto`, clean (it is the harness's own: nothing in it is anyone's work). */
  private async resetTree(dir: string, onto: string): Promise<void> {
    const { config, journal, env, signal } = this.options;
    if (!existsSync(dir)) {
      await addWorktree({ repoRoot: config.repoRoot, dir, base: onto });
      await worktreePreparer({ config, journal, worker: path.basename(dir), env, signal })(dir);
    }
    await git(dir, ['reset', '--quiet', '--hard']);
    await git(dir, ['checkout', '--quiet', '--detach', '--force', onto]);
    // Untracked files go; ignored ones (the dependencies copied in) stay.
    await git(dir, ['clean', '-ffdq']);
  }

  /** Ticks the task on the replayed result; a problem (the task is gone from the file) is returned. */
  private async tick(dir: string, task: Task, taskFile: string): Promise<string | undefined> {
    const file = path.join(dir, taskFile);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return `the task file ${taskFile} is missing on the start branch`;
    const state = taskState(text, task.id);
    if (state === 'missing') return `the task is no longer in ${taskFile} on the start branch`;
    if (state === 'open') await writeTaskFileAtomic(file, tickTaskById(text, task.id));
    await git(dir, ['add', '--', taskFile]);
    return undefined;
  }

  /** The replayed tree committed onto `onto` with the squashed commit's message and author. */
  private async commit(dir: string, squashed: Squashed, onto: string): Promise<string> {
    const tree = (await git(dir, ['write-tree'])).trim();
    const { message, identity } = squashed;
    const commit = await commitTree(dir, { tree, parents: [onto], message, identity });
    await git(dir, ['checkout', '--quiet', '--detach', '--force', commit]);
    return commit;
  }

  /**
   * Whether the replayed tree needs its own test run: not when there is no test command, nor when a
   * passing one ran on the same content (the fingerprint the iterations remember, task file left out).
   * Only looked up when nothing was merged since the worker's base (`unmoved`): else the tree holds
   * changes the worker never had, hardly a tree any iteration verified: the test command runs.
   */
  private async verification(dir: string, taskFile: string, unmoved: boolean): Promise<MergeVerification> {
    const { config, integrity } = this.options;
    if (!config.testCommand.trim()) return 'none';
    if (!integrity || !unmoved) return 'ran';
    const fingerprint = await worktreeFingerprint(dir, [taskFile]);
    return integrity.find(fingerprint) ? 'reused' : 'ran';
  }
}
