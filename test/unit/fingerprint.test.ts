import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { worktreeFingerprint } from '../../src/workspace/fingerprint.js';
import { gitSync, makeRepo } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('worktreeFingerprint', () => {
  it('changes with content, not with staging or commits, and ignores excluded paths', async () => {
    const repo = await makeRepo({ 'a.txt': '1\n', 'TODOS.md': '- [ ] t\n' });
    const start = await worktreeFingerprint(repo, ['TODOS.md']);
    await writeFile(path.join(repo, 'TODOS.md'), '- [x] t\n');
    expect(await worktreeFingerprint(repo, ['TODOS.md'])).toBe(start);
    gitSync(repo, 'add', 'TODOS.md');
    gitSync(repo, 'commit', '-qm', 'tick');
    expect(await worktreeFingerprint(repo, ['TODOS.md'])).toBe(start);
    await writeFile(path.join(repo, 'new.txt'), 'x');
    const withNew = await worktreeFingerprint(repo, ['TODOS.md']);
    expect(withNew).not.toBe(start);
    gitSync(repo, 'add', 'new.txt');
    expect(await worktreeFingerprint(repo, ['TODOS.md'])).toBe(withNew);
    expect(gitSync(repo, 'status', '--porcelain')).toBe('A  new.txt\n');
  });
});

describe('the kept scratch index', () => {
  it('sees every kind of change after the first fingerprint: untracked edits, deletions, restorations', async () => {
    const repo = await makeRepo({ 'a.txt': '1\n', 'TODOS.md': '- [ ] t\n' });
    const start = await worktreeFingerprint(repo, ['TODOS.md']);
    await writeFile(path.join(repo, 'notes.txt'), 'draft\n');
    const drafted = await worktreeFingerprint(repo, ['TODOS.md']);
    expect(drafted).not.toBe(start);
    // Same size, new content: the stat cache must not hide it.
    await writeFile(path.join(repo, 'notes.txt'), 'DRAFT\n');
    const edited = await worktreeFingerprint(repo, ['TODOS.md']);
    expect(edited).not.toBe(drafted);
    await rm(path.join(repo, 'notes.txt'));
    expect(await worktreeFingerprint(repo, ['TODOS.md'])).toBe(start);
    await rm(path.join(repo, 'a.txt'));
    const deleted = await worktreeFingerprint(repo, ['TODOS.md']);
    expect(deleted).not.toBe(start);
    gitSync(repo, 'checkout', '--', 'a.txt');
    expect(await worktreeFingerprint(repo, ['TODOS.md'])).toBe(start);
    // The user's index is never the one written.
    expect(gitSync(repo, 'status', '--porcelain')).toBe('');
  });

  it('is made anew when it is gone or locked, with the same answer', async () => {
    const repo = await makeRepo({ 'a.txt': '1\n', 'TODOS.md': '- [ ] t\n' });
    // This work tree's scratch index in a folder of the test's own (never another process's).
    const own = await tempDir('pi-harness-scratch-');
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = own;
    const start = await worktreeFingerprint(repo, ['TODOS.md']).finally(() => {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    });
    const [name] = await readdir(own);
    expect(name).toMatch(/^pi-harness-index-/);
    const index = path.join(own, name!, 'index');
    await rm(index);
    await writeFile(`${index}.lock`, '');
    await writeFile(path.join(repo, 'TODOS.md'), '- [x] t\n');
    expect(await worktreeFingerprint(repo, ['TODOS.md'])).toBe(start);
  });

  it('fingerprints of one work tree asked at once all answer, in order', async () => {
    const repo = await makeRepo({ 'a.txt': '1\n' });
    const answers = await Promise.all([1, 2, 3, 4].map(() => worktreeFingerprint(repo)));
    expect(new Set(answers).size).toBe(1);
  });
});
