/**
 * The merge queue's own worktrees: `merge`, then `merge-2`, `merge-3`… one per merge being replayed
 * and verified ahead of the start branch's move, at most `size`. Handed out in the order they are
 * asked for; each is made (by the replay) on its first use, and only ever holds the harness's own
 * replays, so recovery may reset it without keeping anything.
 */
import path from 'node:path';

const NAME = /^merge(-\d+)?$/;

/** Whether a worktree's folder name (under the run's folder) is one of the merge queue's. */
export function isMergeTreeName(name: string | undefined): boolean {
  return name !== undefined && NAME.test(name);
}

export class MergeTrees {
  private readonly free: string[] = [];
  private readonly waiting: ((dir: string) => void)[] = [];
  private made = 0;
  private readonly first: string;
  private readonly size: number;

  /** `first` is the first worktree's folder (`…/<run>/merge`); the others sit beside it. */
  constructor(first: string, size: number) {
    this.first = first;
    this.size = size;
  }

  /** A worktree no merge is using; waits for one to be given back when all `size` are in use. */
  take(): Promise<string> {
    const dir = this.free.shift();
    if (dir !== undefined) return Promise.resolve(dir);
    if (this.made < Math.max(1, this.size)) {
      this.made += 1;
      return Promise.resolve(this.made === 1 ? this.first : path.join(path.dirname(this.first), `merge-${this.made}`));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(dir: string): void {
    const next = this.waiting.shift();
    if (next) next(dir);
    else this.free.push(dir);
  }
}
