/**
 * One `git status` gives the loop HEAD and the changes it read with two calls before: the records
 * must be exactly those of the v1 parser, on every kind of change and awkward name.
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, status } from '../../src/workspace/git.js';
import { parseStatusV2Z, statusWithHead } from '../../src/workspace/status-with-head.js';
import { gitSync, makeRepo } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('status with HEAD', () => {
  it('reads the same changes as status() and the same commit as rev-parse, names with spaces and newlines too', async () => {
    const repo = await makeRepo({
      'keep.txt': 'k\n',
      'edit me.txt': 'e\n',
      'gone.txt': 'g\n',
      'staged.txt': 's\n',
      'type.txt': 't\n',
    });
    await writeFile(path.join(repo, 'edit me.txt'), 'edited\n');
    await rm(path.join(repo, 'gone.txt'));
    await writeFile(path.join(repo, 'staged.txt'), 'staged\n');
    gitSync(repo, 'add', 'staged.txt');
    await writeFile(path.join(repo, 'staged.txt'), 'staged, then edited\n');
    await writeFile(path.join(repo, 'new\nline ü.txt'), 'n\n');
    await mkdir(path.join(repo, 'dir with space'));
    await writeFile(path.join(repo, 'dir with space', 'x y.txt'), 'x\n');
    await writeFile(path.join(repo, 'added.txt'), 'a\n');
    gitSync(repo, 'add', 'added.txt');
    gitSync(repo, 'mv', 'keep.txt', 'kept.txt');
    await rm(path.join(repo, 'type.txt'));
    await symlink('kept.txt', path.join(repo, 'type.txt'));

    const read = await statusWithHead(repo);
    expect(read.head).toBe(gitSync(repo, 'rev-parse', 'HEAD').trim());
    const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
    expect([...read.entries].sort(byPath)).toEqual([...(await status(repo))].sort(byPath));
    expect(read.entries.map((entry) => entry.path)).toContain('new\nline ü.txt');
  });

  it('reads the conflicted paths of a stopped merge as status() does', async () => {
    const repo = await makeRepo({ 'c.txt': 'base\n' });
    gitSync(repo, 'checkout', '-qb', 'other');
    await writeFile(path.join(repo, 'c.txt'), 'theirs\n');
    gitSync(repo, 'commit', '-qam', 'theirs');
    gitSync(repo, 'checkout', '-q', 'main');
    await writeFile(path.join(repo, 'c.txt'), 'ours\n');
    gitSync(repo, 'commit', '-qam', 'ours');
    await git(repo, ['merge', '-q', 'other']).catch(() => undefined);
    const read = await statusWithHead(repo);
    expect(read.entries).toEqual(await status(repo));
    expect(read.entries).toEqual([expect.objectContaining({ path: 'c.txt', kind: 'conflicted' })]);
  });

  it('names the branch only when the header cannot mean anything else', async () => {
    const repo = await makeRepo();
    expect((await statusWithHead(repo)).branch).toBe('refs/heads/main');
    gitSync(repo, 'checkout', '-q', '-b', 'feature/x');
    expect((await statusWithHead(repo)).branch).toBe('refs/heads/feature/x');
    gitSync(repo, 'checkout', '-q', '--detach');
    expect((await statusWithHead(repo)).branch).toBeUndefined();
    // HEAD on a ref outside refs/heads/: git prints "(null)".
    gitSync(repo, 'update-ref', 'refs/remotes/origin/x', 'HEAD');
    gitSync(repo, 'symbolic-ref', 'HEAD', 'refs/remotes/origin/x');
    expect((await statusWithHead(repo)).branch).toBeUndefined();
    // Branches named like what git prints for those: asked of git, never guessed.
    for (const name of ['(detached)', 'refs/x']) {
      gitSync(repo, 'update-ref', `refs/heads/${name}`, 'HEAD');
      gitSync(repo, 'symbolic-ref', 'HEAD', `refs/heads/${name}`);
      expect((await statusWithHead(repo)).branch).toBeUndefined();
    }
  });

  it('has no HEAD on an unborn branch', async () => {
    const dir = await tempDir('pi-harness-unborn-');
    gitSync(dir, 'init', '-q', '-b', 'main');
    await writeFile(path.join(dir, 'a.txt'), 'a\n');
    expect(await statusWithHead(dir)).toEqual({
      head: undefined,
      branch: 'refs/heads/main',
      entries: [{ path: 'a.txt', index: '?', worktree: '?', kind: 'untracked' }],
    });
  });

  it('keeps a rename with its source, should git report one', () => {
    const oid = 'a'.repeat(40);
    const output = [
      `# branch.oid ${oid}`,
      '# branch.head main',
      `2 R. N... 100644 100644 100644 ${oid} ${oid} R100 new name.txt`,
      'old name.txt',
      '',
    ].join('\0');
    expect(parseStatusV2Z(output)).toEqual({
      head: oid,
      branch: 'refs/heads/main',
      entries: [{ path: 'new name.txt', fromPath: 'old name.txt', index: 'R', worktree: ' ', kind: 'renamed' }],
    });
  });
});
