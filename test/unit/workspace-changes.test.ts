import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { iterationChanges, userDirtyPaths } from '../../src/workspace/changes.js';
import { commitFiles } from '../../src/workspace/commit.js';
import { headCommit, status } from '../../src/workspace/git.js';
import { gitSync, makeRepo, writeFiles } from '../helpers/git-repo.js';

describe('iterationChanges', () => {
  it('counts commits since the start and dirty files, never pre-dirty or harness files', async () => {
    const repo = await makeRepo({ 'a.ts': '1', 'user.txt': 'mine', 'del.ts': 'x' });
    await writeFile(path.join(repo, 'user.txt'), 'my uncommitted edit');
    const start = await headCommit(repo);
    // the "agent" commits one file, edits another, deletes one, adds one, and the harness writes its files
    await writeFile(path.join(repo, 'a.ts'), '2');
    gitSync(repo, 'commit', '-qm', 'agent commit', '--', 'a.ts');
    await writeFiles(repo, { 'new dir/b.ts': 'b', '.pi-harness/state.json': '{}' });
    await rm(path.join(repo, 'del.ts'));
    const changes = await iterationChanges(repo, start, {
      preDirty: new Set(['user.txt']),
      harnessPaths: ['.pi-harness'],
    });
    expect(changes.committed).toEqual(['a.ts']);
    expect(changes.uncommitted.sort()).toEqual(['del.ts', 'new dir/b.ts']);
    expect(changes.all).toEqual(['a.ts', 'del.ts', 'new dir/b.ts']);
    expect(await userDirtyPaths(repo, ['.pi-harness'])).toEqual(expect.arrayContaining(['user.txt', 'del.ts']));
  });
});

describe('commitFiles', () => {
  it('commits exactly the named files, even when the agent staged others', async () => {
    const repo = await makeRepo({ 'a.ts': '1', 'gone.ts': 'x', 'user.txt': 'mine' });
    await writeFiles(repo, { 'a.ts': '2', 'b new.ts': 'b', 'user.txt': 'user edit' });
    await rm(path.join(repo, 'gone.ts'));
    gitSync(repo, 'add', '-A'); // an agent ran `git add -A`
    const result = await commitFiles(repo, ['a.ts', 'b new.ts', 'gone.ts'], 'Do the task');
    expect(result?.files.sort()).toEqual(['a.ts', 'b new.ts', 'gone.ts']);
    const committed = gitSync(repo, 'show', '--name-only', '--format=%s', 'HEAD').trim().split('\n');
    expect(committed[0]).toBe('Do the task');
    expect(committed.slice(1).filter(Boolean).sort()).toEqual(['a.ts', 'b new.ts', 'gone.ts']);
    // the user's file is still modified and was not committed
    expect((await status(repo)).map((e) => e.path)).toEqual(['user.txt']);
  });

  it('returns undefined when nothing among the files changed, and treats names literally', async () => {
    const repo = await makeRepo({ 'a.ts': '1', '*.ts': 'star' });
    expect(await commitFiles(repo, ['a.ts'], 'nothing')).toBeUndefined();
    await writeFiles(repo, { 'a.ts': '2', '*.ts': 'changed star' });
    const result = await commitFiles(repo, ['*.ts'], 'only the star file');
    expect(result?.files).toEqual(['*.ts']);
    expect((await status(repo)).map((e) => e.path)).toEqual(['a.ts']);
  });

  it('commits in a repo with no git identity configured', async () => {
    const repo = await makeRepo({ 'a.ts': '1' });
    gitSync(repo, 'config', '--unset', 'user.name');
    gitSync(repo, 'config', '--unset', 'user.email');
    await writeFiles(repo, { 'a.ts': '2' });
    const env = { ...process.env, HOME: repo, GIT_CONFIG_NOSYSTEM: '1', XDG_CONFIG_HOME: repo };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      expect(await commitFiles(repo, ['a.ts'], 'no identity')).toBeDefined();
    } finally {
      process.env = saved;
    }
  });
});
