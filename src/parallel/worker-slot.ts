/**
 * A worker's slot: the one worktree its iterations run in, at `<root>/<runId>/<workerId>`. Made on
 * the worker's first assignment; each later one moves it to that iteration's branch at its base
 * commit (worktrees.ts, moveWorktree: the branch it leaves is kept first, then deleted); removed when
 * the worker closes. A slot that cannot be left (uncommitted changes its iteration did not keep) is
 * left where it is, named in a warning, and the worker goes on in a new worktree beside it.
 */
import type { Journal } from '../journal/writer.js';
import { errorMessage } from '../util/errors.js';
import { addWorktree, moveWorktree, removeWorktree, slotDir, unmergedRef, workerBranch } from './worktrees.js';

export interface WorkerSlotOptions {
  worker: string;
  repoRoot: string;
  runId: string;
  startBranch: string;
  /** The worker's view of the run's journal. */
  journal: Journal;
  /** Makes a new worktree ready for tests (its dependencies, the setup command); throws if it cannot. */
  prepare?: (dir: string) => Promise<void>;
  /** Ignored folders a move's clean leaves in place (what `prepare` put there). */
  keepIgnored?: readonly string[];
}

interface Held {
  dir: string;
  branch: string;
  iteration: number;
}

export class WorkerSlot {
  private readonly options: WorkerSlotOptions;
  private held: Held | undefined;

  constructor(options: WorkerSlotOptions) {
    this.options = options;
  }

  /** Where the slot's current HEAD goes when nothing holds it yet. */
  private rescueRef(held: Held): string {
    return unmergedRef(this.options.runId, held.iteration);
  }

  /** The slot on `iteration`'s branch at `base`: moved there, or made on the first assignment. */
  async take(iteration: number, base: string): Promise<{ dir: string; branch: string }> {
    const { repoRoot, runId, startBranch, journal, worker } = this.options;
    const branch = workerBranch(runId, iteration);
    const held = this.held;
    if (held) {
      try {
        const rescueRef = this.rescueRef(held);
        const keepIgnored = this.options.keepIgnored ?? [];
        const moved = await moveWorktree({
          repoRoot,
          dir: held.dir,
          startBranch,
          rescueRef,
          branch,
          base,
          keepIgnored,
        });
        journal.append({ type: 'worktree_moved', worker, worktree: held.dir, ...moved, to: branch });
        this.held = { dir: held.dir, branch, iteration };
        return { dir: held.dir, branch };
      } catch (error) {
        this.held = undefined;
        journal.append({
          type: 'warning',
          iteration,
          message: `the worktree ${held.dir} was kept: ${errorMessage(error)}; the worker goes on in a new one`,
        });
      }
    }
    const first = slotDir(repoRoot, runId, worker);
    const dir = held ? `${first}-${iteration}` : first;
    await addWorktree({ repoRoot, dir, branch, base });
    // Held before it is prepared: a failed preparation still leaves it to remove().
    this.held = { dir, branch, iteration };
    await this.options.prepare?.(dir);
    return { dir, branch };
  }

  /** Removes the slot once its HEAD is kept; one that cannot be (uncommitted changes) is left and named. */
  async remove(): Promise<void> {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    const { repoRoot, startBranch, journal, worker } = this.options;
    try {
      const removed = await removeWorktree({ repoRoot, dir: held.dir, startBranch, rescueRef: this.rescueRef(held) });
      journal.append({ type: 'worktree_removed', worker, worktree: held.dir, ...removed });
    } catch (error) {
      journal.append({
        type: 'warning',
        iteration: held.iteration,
        message: `the worktree ${held.dir} was kept: ${errorMessage(error)}`,
      });
    }
  }
}
