/**
 * The merge queue: one passing task at a time, its change (squashed, the task file left out:
 * squash.ts) replayed onto the start branch's tip in the queue's own worktree, the task ticked there
 * by the harness, the result verified there, then the start branch — and the user's work tree with
 * it — fast-forwarded. The verification is not run again when the run's test command already passed
 * on a tree with exactly the merged content, the task file aside (a worker's own verification, when
 * nothing was merged since its base): the same files, the same test. A conflict or a failing verification leaves the start branch where it was;
 * the worker's commit is recorded in a merge ref on success, so its worktree can go.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/load.js';
import type { Journal } from '../journal/writer.js';
import type { MergeVerification } from '../journal/events.js';
import type { RunIntegrity } from '../loop/integrity-run.js';
import { taskRef } from '../loop/iteration-run.js';
import { taskState, tickTaskById, writeTaskFileAtomic, type Task } from '../tasks/index.js';
import { errorMessage } from '../util/errors.js';
import { runCommand } from '../verify/run-command.js';
import { toRepoRelative } from '../workspace/changes.js';
import { worktreeFingerprint } from '../workspace/fingerprint.js';
import { git, refExists } from '../workspace/git.js';
import { commitTree, createHarnessRef } from '../workspace/tree-builder.js';
import { authorOf, squashedMessage, squashWithoutTaskFile } from './squash.js';
import { addWorktree, mergedRef, unmergedRef } from './worktrees.js';
import { worktreePreparer, WorktreeSetupError } from './worktree-setup.js';
import { OneAtATime } from '../util/one-at-a-time.js';
import { lastLines } from '../util/text.js';

export interface MergeRequest {
  worker: string;
  iteration: number;
  task: Task;
  /** The worker's branch tip (its passing commit). */
  from: string;
  /** Where the worker's branch started. */
  base: string;
}

export type MergeResult =
  | { outcome: 'merged'; commit: string; onto: string; verification: MergeVerification }
  | { outcome: 'conflict'; onto: string; detail: string }
  | { outcome: 'verify_failed'; onto: string; detail: string };

export interface MergeQueueOptions {
  config: Config;
  journal: Journal;
  runId: string;
  /** `refs/heads/...`: the branch the run started on, which the queue moves. */
  startBranch: string;
  /** The queue's own worktree (created on first use). */
  dir: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** The run's passing verifications by content: a merged tree with one needs no second run. */
  integrity?: RunIntegrity;
}

const OUTPUT_TAIL_LINES = 40;

export class MergeQueue {
  private readonly options: MergeQueueOptions;
  private readonly merges = new OneAtATime();
  /** The start branch's move and the workers' guardrail comparisons, one at a time (holdingTip). */
  private readonly tipHeld = new OneAtATime();
  /** The commit the queue last moved the start branch to (workers' guardrails leave that move alone). */
  mergedTip: string | undefined;

  constructor(options: MergeQueueOptions) {
    this.options = options;
  }

  /** Merges `request` after every request queued before it; never two at once. */
  merge(request: MergeRequest): Promise<MergeResult> {
    return this.merges.run(() => this.mergeOne(request));
  }

  /**
   * Runs `work` while the start branch stays where `mergedTip` says: never during a move, when the
   * branch is still at the old tip but `mergedTip` already names the new one.
   */
  holdingTip<T>(work: () => Promise<T>): Promise<T> {
    return this.tipHeld.run(work);
  }

  private async mergeOne(request: MergeRequest): Promise<MergeResult> {
    const { config, journal, startBranch } = this.options;
    const onto = (await git(config.repoRoot, ['rev-parse', startBranch])).trim();
    let result: MergeResult;
    try {
      result = await this.attempt(request, onto);
    } catch (error) {
      // The queue's worktree could not be made ready for tests: no merge can pass, the run stops.
      if (error instanceof WorktreeSetupError) throw error;
      result = { outcome: 'conflict', onto, detail: errorMessage(error) };
    }
    if (result.outcome === 'merged') await this.recordMerged(request);
    journal.append({
      type: 'merge',
      worker: request.worker,
      iteration: request.iteration,
      task: taskRef(request.task),
      outcome: result.outcome,
      from: request.from,
      onto,
      ...(result.outcome === 'merged'
        ? { commit: result.commit, verification: result.verification }
        : { detail: result.detail }),
    });
    return result;
  }

  /**
   * The worker's commit recorded as merged. Its worktree may have moved on while the merge was queued,
   * keeping the commit in a rescue ref meanwhile: that one goes now, the merge record holding it.
   */
  private async recordMerged(request: MergeRequest): Promise<void> {
    const { config, runId } = this.options;
    await createHarnessRef(config.repoRoot, mergedRef(runId, request.iteration), request.from);
    const rescue = unmergedRef(runId, request.iteration);
    if (await refExists(config.repoRoot, rescue))
      await git(config.repoRoot, ['update-ref', '-d', rescue, request.from]).catch(() => undefined);
  }

  private async attempt(request: MergeRequest, onto: string): Promise<MergeResult> {
    const { config } = this.options;
    const taskFile = toRepoRelative(config.repoRoot, config.taskFile);
    const squashed = await squashWithoutTaskFile({ repoRoot: config.repoRoot, ...request, taskFile });
    await this.resetQueueTree(onto);
    const dir = this.options.dir;
    try {
      await git(dir, ['cherry-pick', '--no-commit', squashed]);
    } catch (error) {
      const files = (await git(dir, ['diff', '--name-only', '--diff-filter=U', '-z']).catch(() => ''))
        .split('\0')
        .filter(Boolean);
      await this.resetQueueTree(onto);
      const detail = files.length > 0 ? `conflicting files: ${files.join(', ')}` : errorMessage(error);
      return { outcome: 'conflict', onto, detail };
    }
    const ticked = await this.tick(request.task, taskFile);
    if (ticked) return { outcome: 'conflict', onto, detail: ticked };
    const commit = await this.commit(request, onto);
    const verification = await this.verification(taskFile, onto === request.base);
    const verified = verification === 'ran' ? await this.verify() : undefined;
    if (verified) return { outcome: 'verify_failed', onto, detail: verified };
    const moved = await this.holdingTip(async () => {
      const failed = await this.fastForward(onto, commit);
      if (!failed) this.mergedTip = commit;
      return failed;
    });
    if (moved) return { outcome: 'conflict', onto, detail: moved };
    return { outcome: 'merged', commit, onto, verification };
  }

  /** The queue's worktree at `onto`, clean (it is the harness's own: nothing in it is anyone's work). */
  private async resetQueueTree(onto: string): Promise<void> {
    const { dir, config } = this.options;
    if (!existsSync(dir)) {
      await addWorktree({ repoRoot: config.repoRoot, dir, base: onto });
      const { journal, env, signal } = this.options;
      await worktreePreparer({ config, journal, worker: 'merge', env, signal })(dir);
    }
    await git(dir, ['reset', '--quiet', '--hard']);
    await git(dir, ['checkout', '--quiet', '--detach', '--force', onto]);
    // Untracked files go; ignored ones (the dependencies copied in) stay.
    await git(dir, ['clean', '-ffdq']);
  }

  /** Ticks the task on the replayed result; a problem (the task is gone from the file) is returned. */
  private async tick(task: Task, taskFile: string): Promise<string | undefined> {
    const file = path.join(this.options.dir, taskFile);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return `the task file ${taskFile} is missing on the start branch`;
    const state = taskState(text, task.id);
    if (state === 'missing') return `the task is no longer in ${taskFile} on the start branch`;
    if (state === 'open') await writeTaskFileAtomic(file, tickTaskById(text, task.id));
    await git(this.options.dir, ['add', '--', taskFile]);
    return undefined;
  }

  private async commit(request: MergeRequest, onto: string): Promise<string> {
    const dir = this.options.dir;
    const tree = (await git(dir, ['write-tree'])).trim();
    const commit = await commitTree(dir, {
      tree,
      parents: [onto],
      message: await squashedMessage(dir, request.base, request.from),
      identity: await authorOf(dir, request.from),
    });
    await git(dir, ['checkout', '--quiet', '--detach', '--force', commit]);
    return commit;
  }

  /**
   * Whether the merged tree needs its own test run: not when there is no test command, nor when a
   * passing one ran on the same content (the fingerprint the iterations remember, task file left out).
   * Only looked up when nothing was merged since the worker's base (`unmoved`): else the merged tree
   * holds changes the worker never had, hardly a tree any iteration verified: the test command runs.
   */
  private async verification(taskFile: string, unmoved: boolean): Promise<MergeVerification> {
    const { config, integrity } = this.options;
    if (!config.testCommand.trim()) return 'none';
    if (!integrity || !unmoved) return 'ran';
    const fingerprint = await worktreeFingerprint(this.options.dir, [taskFile]);
    return integrity.find(fingerprint) ? 'reused' : 'ran';
  }

  /** The test command on the merged tree; its output's tail when it fails. */
  private async verify(): Promise<string | undefined> {
    const { config, env, signal } = this.options;
    if (!config.testCommand.trim()) return undefined;
    const result = await runCommand({
      command: config.testCommand,
      cwd: this.options.dir,
      timeoutSeconds: config.verificationTimeoutSeconds,
      env,
      signal,
    });
    if (result.outcome === 'passed') return undefined;
    return `${config.testCommand} ${result.outcome} on the merged tree:\n${lastLines(result.output, OUTPUT_TAIL_LINES)}`;
  }

  /**
   * Moves the start branch from `onto` to `commit`: through the user's work tree when it has the
   * branch checked out (a fast-forward updates its files with it), else the ref alone.
   */
  private async fastForward(onto: string, commit: string): Promise<string | undefined> {
    const { config, startBranch } = this.options;
    const head = (await git(config.repoRoot, ['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim();
    try {
      if (head === startBranch) await git(config.repoRoot, ['merge', '--quiet', '--ff-only', '--no-edit', commit]);
      else await git(config.repoRoot, ['update-ref', '-m', 'pi-harness: merge queue', startBranch, commit, onto]);
      return undefined;
    } catch (error) {
      return `the start branch could not be fast-forwarded: ${errorMessage(error)}`;
    }
  }
}
