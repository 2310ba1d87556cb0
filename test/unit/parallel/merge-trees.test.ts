import { describe, expect, it } from 'vitest';
import { isMergeTreeName, MergeTrees } from '../../../src/parallel/merge-trees.js';

describe("the merge queue's worktrees", () => {
  it('hands out merge, merge-2… up to its size, then waits for one given back, first asked first served', async () => {
    const trees = new MergeTrees('/w/run/merge', 2);
    expect(await trees.take()).toBe('/w/run/merge');
    expect(await trees.take()).toBe('/w/run/merge-2');
    const served: string[] = [];
    const third = trees.take().then((dir) => served.push(`third ${dir}`));
    const fourth = trees.take().then((dir) => served.push(`fourth ${dir}`));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(served).toEqual([]);
    trees.give('/w/run/merge-2');
    await third;
    trees.give('/w/run/merge');
    await fourth;
    expect(served).toEqual(['third /w/run/merge-2', 'fourth /w/run/merge']);
  });

  it('keeps one worktree for a size of 1 (or less)', async () => {
    const trees = new MergeTrees('/w/run/merge', 0);
    expect(await trees.take()).toBe('/w/run/merge');
    trees.give('/w/run/merge');
    expect(await trees.take()).toBe('/w/run/merge');
  });

  it("tells the queue's worktrees from the workers' by name", () => {
    expect(['merge', 'merge-2', 'merge-12'].every(isMergeTreeName)).toBe(true);
    expect(['w1', 'merged', 'merge-', 'merge-x', undefined].some(isMergeTreeName)).toBe(false);
  });
});
