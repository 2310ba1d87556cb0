import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedChangesSince, git, GitError, headCommit, parseStatusZ, status } from '../../src/workspace/git.js';
import { excludeFromGit } from '../../src/workspace/exclude.js';
import { gitSync, makeRepo, writeFiles } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('git status parsing', () => {
  it('parses -z porcelain including renames and odd names', () => {
    const output = ' M src/a.ts\0?? new file.txt\0R  to.ts\0from.ts\0D  gone.md\0A  added.ts\0UU both.ts\0';
    expect(parseStatusZ(output)).toEqual([
      { path: 'src/a.ts', index: ' ', worktree: 'M', kind: 'modified' },
      { path: 'new file.txt', index: '?', worktree: '?', kind: 'untracked' },
      { path: 'to.ts', fromPath: 'from.ts', index: 'R', worktree: ' ', kind: 'renamed' },
      { path: 'gone.md', index: 'D', worktree: ' ', kind: 'deleted' },
      { path: 'added.ts', index: 'A', worktree: ' ', kind: 'added' },
      { path: 'both.ts', index: 'U', worktree: 'U', kind: 'conflicted' },
    ]);
  });

  it('reads a real tree with spaces, newlines and unicode in names', async () => {
    const repo = await makeRepo({ 'keep.txt': 'k\n', 'old.txt': 'o\n' });
    await writeFiles(repo, { 'dir/with space.txt': 'x', 'naïve\nname.md': 'y', 'keep.txt': 'changed\n' });
    await rm(path.join(repo, 'old.txt'));
    const entries = await status(repo);
    expect(entries.map((e) => [e.path, e.kind]).sort()).toEqual(
      [
        ['dir/with space.txt', 'untracked'],
        ['keep.txt', 'modified'],
        ['naïve\nname.md', 'untracked'],
        ['old.txt', 'deleted'],
      ].sort(),
    );
  });
});

describe('commits', () => {
  it('knows HEAD, the unborn branch and what was committed since a commit', async () => {
    const empty = await tempDir();
    gitSync(empty, 'init', '-q');
    expect(await headCommit(empty)).toBeUndefined();

    const repo = await makeRepo({ 'a.txt': '1\n', 'b.txt': '1\n' });
    const start = await headCommit(repo);
    expect(start).toMatch(/^[0-9a-f]{40}$/);
    await writeFile(path.join(repo, 'a.txt'), '2\n');
    await rename(path.join(repo, 'b.txt'), path.join(repo, 'c.txt'));
    gitSync(repo, 'add', '-A');
    gitSync(repo, 'commit', '-q', '-m', 'change');
    expect((await committedChangesSince(repo, start!)).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });

  it('reports a failing git command with its arguments and stderr', async () => {
    const repo = await makeRepo();
    const error = await git(repo, ['rev-parse', 'no-such-ref']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(/git rev-parse no-such-ref failed \(exit 128\)/);
  });
});

describe('excludeFromGit', () => {
  it('keeps the runtime directory out of git without touching .gitignore, once', async () => {
    const repo = await makeRepo();
    const runtime = path.join(repo, '.pi-harness');
    await writeFiles(repo, { '.pi-harness/state.json': '{}' });
    expect(await excludeFromGit(repo, runtime)).toBe(true);
    expect(await excludeFromGit(repo, runtime)).toBe(false);
    expect(await status(repo)).toEqual([]);
    const exclude = await readFile(path.join(repo, '.git', 'info', 'exclude'), 'utf8');
    expect(exclude.match(/^\/\.pi-harness\/$/gm)).toHaveLength(1);
    await expect(readFile(path.join(repo, '.gitignore'))).rejects.toThrow();
  });

  it('ignores a directory outside the repository', async () => {
    const repo = await makeRepo();
    expect(await excludeFromGit(repo, await tempDir())).toBe(false);
  });
});
