import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { worktreeFingerprint } from '../../src/workspace/fingerprint.js';
import { gitSync, makeRepo } from '../helpers/git-repo.js';

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
