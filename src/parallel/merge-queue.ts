/**
 * The merge queue: passing tasks land on the start branch one at a time, in the order they passed.
 * Each task's change is replayed onto the commit it will land on, ticked there by the harness and
 * verified there (in the queue's own worktrees: merge-replay.ts), then the start branch — and the
 * user's work tree with it — is fast-forwarded to the result. A conflict or a failing verification
 * leaves the start branch where it was; the worker's commit is recorded in a merge ref on success,
 * so its worktree can go.
 *
 * Merges waiting behind one another do not wait for each other's tests: the next one is replayed
 * onto the commit the one ahead will land as, and verified beside it, each in its own worktree
 * (merge-trees.ts, at most `lookahead` at once). It lands only if the start branch is really there
 * when its turn comes; when the one ahead was refused instead, it is replayed and verified again onto
 * where the branch is. So every commit the start branch moves to is one whose tree was verified
 * (or had passed already: merge-replay.ts), exactly as when one merge runs after the other.
 */
import type { Config } from '../config/load.js';
import type { Journal } from '../journal/writer.js';
import type { MergeVerification } from '../journal/events.js';
import type { RunIntegrity } from '../loop/integrity-run.js';
import { taskRef } from '../loop/iteration-run.js';
import { errorMessage } from '../util/errors.js';
import { OneAtATime } from '../util/one-at-a-time.js';
import { git, refExists } from '../workspace/git.js';
import { createHarnessRef } from '../workspace/tree-builder.js';
import { MergeReplayer, type MergeRequest, type Replay } from './merge-replay.js';
import { MergeTrees } from './merge-trees.js';
import { mergedRef, unmergedRef } from './worktrees.js';
import { WorktreeSetupError } from './worktree-setup.js';

export type { MergeRequest } from './merge-replay.js';

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
  /** The queue's first worktree (created on first use); the others sit beside it. */
  dir: string;
  /** How many merges may be replayed and verified at once, ahead of the branch's moves (default 1). */
  lookahead?: number;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** The run's passing verifications by content: a merged tree with one needs no second run. */
  integrity?: RunIntegrity;
}

/** A merge on its way: replayed in one worktree, then verified, then landed in its turn. */
interface Pending {
  replayed: Promise<{ dir: string; replay: Replay }>;
  /** The test command's verdict on the replay (undefined: passed or not needed). */
  verdict: Promise<string | undefined>;
  /** Set once it has landed or been refused: a merge behind it then replays onto the branch itself. */
  through: boolean;
}

export class MergeQueue {
  private readonly options: MergeQueueOptions;
  private readonly replayer: MergeReplayer;
  private readonly trees: MergeTrees;
  /** Replays start one at a time, in the order asked for: each needs the one ahead's commit. */
  private readonly replays = new OneAtATime();
  /** Landings happen one at a time, in the same order. */
  private readonly landings = new OneAtATime();
  /** The start branch's move and the workers' guardrail comparisons, one at a time (holdingTip). */
  private readonly tipHeld = new OneAtATime();
  private last: Pending | undefined;
  /** The commit the queue last moved the start branch to (workers' guardrails leave that move alone). */
  mergedTip: string | undefined;

  constructor(options: MergeQueueOptions) {
    this.options = options;
    this.replayer = new MergeReplayer(options);
    this.trees = new MergeTrees(options.dir, options.lookahead ?? 1);
  }

  /** Merges `request` after every request queued before it: the start branch moves one merge at a time. */
  merge(request: MergeRequest): Promise<MergeResult> {
    const ahead = this.last;
    const replayed = this.replays.run(() => this.replayBehind(request, ahead));
    const verdict = replayed.then(({ dir, replay }) => this.replayer.verdict(replay, dir));
    verdict.catch(() => undefined); // read in its turn (land); never an unhandled rejection meanwhile
    const pending: Pending = { replayed, verdict, through: false };
    this.last = pending;
    return this.landings.run(async () => {
      try {
        return await this.land(request, pending);
      } finally {
        pending.through = true;
      }
    });
  }

  /**
   * Runs `work` while the start branch stays where `mergedTip` says: never during a move, when the
   * branch is still at the old tip but `mergedTip` already names the new one.
   */
  holdingTip<T>(work: () => Promise<T>): Promise<T> {
    return this.tipHeld.run(work);
  }

  private tip(): Promise<string> {
    return git(this.options.config.repoRoot, ['rev-parse', this.options.startBranch]).then((out) => out.trim());
  }

  /**
   * Replays `request` onto where the start branch will be once the merge ahead of it lands as
   * replayed — its commit, or the branch it found when its change did not apply — or onto the branch
   * itself when nothing is ahead any more.
   */
  private async replayBehind(
    request: MergeRequest,
    ahead: Pending | undefined,
  ): Promise<{ dir: string; replay: Replay }> {
    const dir = await this.trees.take();
    // Unknown when the branch cannot be read: no commit has that id, so its landing replays it again.
    let onto = '';
    try {
      const before = ahead && !ahead.through ? await replayOf(ahead) : undefined;
      onto = before === undefined ? await this.tip() : before.kind === 'ready' ? before.commit : before.onto;
      return { dir, replay: await this.replayer.replay(request, onto, dir) };
    } catch (error) {
      if (error instanceof WorktreeSetupError) {
        this.trees.give(dir);
        throw error;
      }
      return { dir, replay: { kind: 'conflict', onto, detail: errorMessage(error) } };
    }
  }

  /** In its turn: moves the start branch to the replay when the branch is where it was replayed onto. */
  private async land(request: MergeRequest, pending: Pending): Promise<MergeResult> {
    // A worktree that could not be made ready for tests: no merge can pass, the run stops.
    const { dir, replay } = await pending.replayed;
    let onto = replay.onto;
    let result: MergeResult;
    try {
      onto = await this.tip();
      if (onto === replay.onto) result = await this.settle(replay, await pending.verdict);
      else {
        // The merge ahead was refused: this replay sits on a commit the branch never got. Its test
        // run, if still going, uses the worktree: let it end, then replay onto the real tip.
        await pending.verdict.catch(() => undefined);
        const again = await this.replayer.replay(request, onto, dir);
        result = await this.settle(again, await this.replayer.verdict(again, dir));
      }
    } catch (error) {
      if (error instanceof WorktreeSetupError) throw error;
      result = { outcome: 'conflict', onto, detail: errorMessage(error) };
    } finally {
      this.trees.give(dir);
    }
    if (result.outcome === 'merged') await this.recordMerged(request);
    this.journalMerge(request, result);
    return result;
  }

  /** A replay's outcome once verified (`failed`: the test command's failure), the branch moved if it passed. */
  private async settle(replay: Replay, failed: string | undefined): Promise<MergeResult> {
    const { onto } = replay;
    if (replay.kind === 'conflict') return { outcome: 'conflict', onto, detail: replay.detail };
    if (failed !== undefined) return { outcome: 'verify_failed', onto, detail: failed };
    const moved = await this.holdingTip(async () => {
      const problem = await this.fastForward(onto, replay.commit);
      if (!problem) this.mergedTip = replay.commit;
      return problem;
    });
    if (moved) return { outcome: 'conflict', onto, detail: moved };
    return { outcome: 'merged', commit: replay.commit, onto, verification: replay.verification };
  }

  private journalMerge(request: MergeRequest, result: MergeResult): void {
    this.options.journal.append({
      type: 'merge',
      worker: request.worker,
      iteration: request.iteration,
      task: taskRef(request.task),
      outcome: result.outcome,
      from: request.from,
      onto: result.onto,
      ...(result.outcome === 'merged'
        ? { commit: result.commit, verification: result.verification }
        : { detail: result.detail }),
    });
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

/** The replay of a merge ahead; undefined when it could not even be tried (its landing then says why). */
function replayOf(pending: Pending): Promise<Replay | undefined> {
  return pending.replayed.then(
    ({ replay }) => replay,
    () => undefined,
  );
}
