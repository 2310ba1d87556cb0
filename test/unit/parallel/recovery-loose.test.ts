/**
 * A worktree a killed run left with uncommitted changes no recovered iteration claimed (a kill in the
 * middle of the harness's own checkout into it): the changes are kept in a rescue ref, then the
 * worktree and its branch go — never left behind, never dropped.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromObject } from '../../../src/config/load.js';
import { Journal } from '../../../src/journal/writer.js';
import type { LoopContext } from '../../../src/loop/loop-context.js';
import { removeLeftWorktrees } from '../../../src/parallel/recovery.js';
import { addWorktree, slotDir, workerBranch, worktreesRoot } from '../../../src/parallel/worktrees.js';
import { gitSync, makeRepo } from '../../helpers/git-repo.js';

const RUN = 'run-loose';
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('worktrees a killed run left with loose changes', () => {
  it('keep the changes in a rescue ref, then go with their branch', async () => {
    const repo = await makeRepo({ 'a.txt': 'a\n' });
    roots.push(worktreesRoot(repo));
    const base = gitSync(repo, 'rev-parse', 'HEAD').trim();
    const dir = slotDir(repo, RUN, 'w2');
    await addWorktree({ repoRoot: repo, dir, branch: workerBranch(RUN, 19), base });
    await writeFile(path.join(dir, 'a.txt'), 'half written\n');
    await writeFile(path.join(dir, 'new.txt'), 'new\n');
    const { config } = configFromObject({}, null, repo, {});
    const journal = new Journal(path.join(repo, '.pi-harness', 'journal.jsonl'), 'next-run');
    const ctx = { config, journal } as unknown as LoopContext;

    await removeLeftWorktrees(ctx);

    expect(existsSync(dir)).toBe(false);
    expect(gitSync(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(gitSync(repo, 'for-each-ref', 'refs/heads/pi-harness/').trim()).toBe('');
    const ref = `refs/pi-harness/rescue/${RUN}/w2-loose`;
    expect(gitSync(repo, 'show', `${ref}:a.txt`)).toBe('half written\n');
    expect(gitSync(repo, 'show', `${ref}:new.txt`)).toBe('new\n');
  });

  it("go even when a killed git left the worktree's index.lock behind", async () => {
    const repo = await makeRepo({ 'a.txt': 'a\n' });
    roots.push(worktreesRoot(repo));
    const base = gitSync(repo, 'rev-parse', 'HEAD').trim();
    const dir = path.join(worktreesRoot(repo), RUN, 'merge');
    await addWorktree({ repoRoot: repo, dir, base });
    await writeFile(path.join(dir, 'a.txt'), 'half replayed\n');
    const gitDir = path.resolve(dir, gitSync(dir, 'rev-parse', '--git-dir').trim());
    await writeFile(path.join(gitDir, 'index.lock'), '');
    const { config } = configFromObject({}, null, repo, {});
    const journal = new Journal(path.join(repo, '.pi-harness', 'journal.jsonl'), 'next-run');

    await removeLeftWorktrees({ config, journal } as unknown as LoopContext);

    expect(existsSync(dir)).toBe(false);
    expect(gitSync(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });

  it.each(['merge', 'merge-2'])(
    "drop the merge queue's untracked leftovers in %s: a tick's temporary task file killed before its rename",
    async (name) => {
      const repo = await makeRepo({ 'a.txt': 'a\n', 'TODOS.md': '- [ ] t\n' });
      roots.push(worktreesRoot(repo));
      const dir = path.join(worktreesRoot(repo), RUN, name);
      await addWorktree({ repoRoot: repo, dir, base: gitSync(repo, 'rev-parse', 'HEAD').trim() });
      // What writeTaskFileAtomic leaves when the run dies between its write and its rename.
      await writeFile(path.join(dir, '.TODOS.md.397.4c04622f65ca.tmp'), '- [x] t\n');
      const { config } = configFromObject({}, null, repo, {});
      const journal = new Journal(path.join(repo, '.pi-harness', 'journal.jsonl'), 'next-run');
      const warnings: string[] = [];
      journal.onEvent((event) => {
        if (event.type === 'warning') warnings.push(event.message);
      });

      await removeLeftWorktrees({ config, journal } as unknown as LoopContext);

      expect(warnings).toEqual([]);
      expect(existsSync(dir)).toBe(false);
      expect(gitSync(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    },
  );
});
