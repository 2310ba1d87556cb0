import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { userDirtyPaths } from '../../src/workspace/changes.js';
import { headCommit } from '../../src/workspace/git.js';
import {
  detectForeignFilesInCommits,
  readPreDirtySnapshot,
  rebuildCommitWithout,
  rescueWork,
  restoreToStart,
  snapshotPreDirty,
} from '../../src/workspace/rescue.js';
import { gitSync, makeRepo, writeFiles } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';

const HARNESS = ['.pi-harness'];
const BINARY = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13, 0x80, 0x81]);
const BINARY_AGENT = Buffer.from([9, 0, 0, 255, 7, 7, 0, 200]);

const read = (repo: string, file: string) => readFile(path.join(repo, file));
const text = async (repo: string, file: string) => (await read(repo, file)).toString('utf8');
const porcelain = (repo: string) => gitSync(repo, 'status', '--porcelain=v1', '-z', '--untracked-files=all');
const harnessRefs = (repo: string) => gitSync(repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/').trim();
const treeFiles = (repo: string, commit: string) =>
  gitSync(repo, 'ls-tree', '-r', '-z', '--name-only', commit).split('\0').filter(Boolean).sort();
/** `git show <commit>:<file>` as raw bytes. */
const showBytes = (repo: string, spec: string) => execFileSync('git', ['show', spec], { cwd: repo });

async function setupRepo(): Promise<string> {
  const repo = await makeRepo({
    '.gitignore': 'dist/\n*.log\n.env\n',
    'a.ts': 'export const a = 1;\n',
    'del.ts': 'to be deleted\n',
    'committed.ts': 'c1\n',
    'spaced name.txt': 'spaces\n',
    'ünï/cödé.md': 'unicode\n',
    'user.txt': 'user base\n',
  });
  await writeFile(path.join(repo, 'bin.dat'), BINARY);
  gitSync(repo, 'add', 'bin.dat');
  gitSync(repo, 'commit', '-qm', 'binary');
  return repo;
}

/** The user's own state before the run: a dirty file, a new file, an ignored file, harness files. */
async function userState(repo: string): Promise<void> {
  await writeFiles(repo, {
    'user.txt': 'user edit, not committed\n',
    'notes/user new.md': 'my notes\n',
    'debug.log': 'ignored user log\n',
    '.pi-harness/state.json': '{"harness":true}\n',
  });
}

/** An agent that commits some work and leaves more uncommitted. */
async function agentWork(repo: string): Promise<void> {
  await writeFiles(repo, { 'committed.ts': 'c2 by agent\n', 'agent/new.ts': 'new in commit\n' });
  gitSync(repo, 'add', 'committed.ts', 'agent/new.ts');
  gitSync(repo, 'commit', '-qm', 'agent: partial work');
  await writeFiles(repo, {
    'a.ts': 'export const a = 2;\n',
    'spaced name.txt': 'spaces changed\n',
    'ünï/新しい.ts': 'new unicode file\n',
    'line\nbreak.txt': 'odd name\n',
    'dist/out.js': 'build output (ignored)\n',
    '.pi-harness/state.json': '{"harness":"updated"}\n',
  });
  await writeFile(path.join(repo, 'bin.dat'), BINARY_AGENT);
  await rm(path.join(repo, 'del.ts'));
}

const AGENT_FILES = [
  'a.ts',
  'agent/new.ts',
  'bin.dat',
  'committed.ts',
  'del.ts',
  'line\nbreak.txt',
  'spaced name.txt',
  'ünï/新しい.ts',
].sort();

describe('rescueWork + restoreToStart', () => {
  it('keeps commits, modifications, deletions and new files, then restores the start exactly', async () => {
    const repo = await setupRepo();
    await userState(repo);
    const start = (await headCommit(repo))!;
    const preDirty = new Set(await userDirtyPaths(repo, HARNESS));
    expect([...preDirty].sort()).toEqual(['notes/user new.md', 'user.txt']);
    await agentWork(repo);
    const patchFile = path.join(repo, '.pi-harness', 'rescue', 'iteration-1.patch');

    const rescue = await rescueWork({
      cwd: repo,
      startCommit: start,
      preDirty,
      harnessPaths: HARNESS,
      refName: 'refs/pi-harness/rescue/run-1/1',
      patchFile,
      message: 'Rescue: iteration 1 failed',
    });
    expect(rescue).toBeDefined();
    expect(rescue!.ref).toBe('refs/pi-harness/rescue/run-1/1');
    expect(gitSync(repo, 'rev-parse', rescue!.ref).trim()).toBe(rescue!.commit);
    expect(gitSync(repo, 'rev-parse', `${rescue!.commit}^`).trim()).toBe(start);
    expect(rescue!.files.sort()).toEqual(AGENT_FILES);
    expect(rescue!.agentCommits).toHaveLength(1);
    expect(gitSync(repo, 'log', '-1', '--format=%B', rescue!.commit)).toContain('Rescue: iteration 1 failed');
    expect(showBytes(repo, `${rescue!.commit}:bin.dat`).equals(BINARY_AGENT)).toBe(true);
    expect(gitSync(repo, 'show', `${rescue!.commit}:committed.ts`)).toBe('c2 by agent\n');
    const kept = treeFiles(repo, rescue!.commit);
    expect(kept).not.toContain('del.ts');
    expect(kept).not.toContain('notes/user new.md'); // the user's, not the iteration's
    expect(kept).not.toContain('dist/out.js'); // ignored
    expect(kept.some((file) => file.startsWith('.pi-harness'))).toBe(false);
    expect(gitSync(repo, 'show', `${rescue!.commit}:user.txt`)).toBe('user base\n');

    const report = await restoreToStart({ cwd: repo, startCommit: start, preDirty, harnessPaths: HARNESS });
    expect(report.clean).toBe(true);
    expect(report.leftovers).toEqual([]);
    expect(report.headMovedFrom).toBeDefined();
    expect(await headCommit(repo)).toBe(start);
    expect(report.keptIgnored).toEqual([]);
    // tracked files back to their start content, created files gone
    expect(await text(repo, 'a.ts')).toBe('export const a = 1;\n');
    expect(await text(repo, 'committed.ts')).toBe('c1\n');
    expect(await text(repo, 'del.ts')).toBe('to be deleted\n');
    expect((await read(repo, 'bin.dat')).equals(BINARY)).toBe(true);
    for (const created of ['agent/new.ts', 'ünï/新しい.ts', 'line\nbreak.txt'])
      expect(existsSync(path.join(repo, created))).toBe(false);
    // the user's things are untouched, byte for byte
    expect(await text(repo, 'user.txt')).toBe('user edit, not committed\n');
    expect(await text(repo, 'notes/user new.md')).toBe('my notes\n');
    expect(await text(repo, 'debug.log')).toBe('ignored user log\n');
    expect(await text(repo, '.pi-harness/state.json')).toBe('{"harness":"updated"}\n');
    expect(await text(repo, 'dist/out.js')).toBe('build output (ignored)\n'); // ignored files are left alone
    expect((await userDirtyPaths(repo, HARNESS)).sort()).toEqual(['notes/user new.md', 'user.txt']);
    expect(gitSync(repo, 'diff', '--cached', '--name-only')).toBe('');

    // the patch applies on the start commit and reproduces the agent's work exactly
    gitSync(repo, 'apply', '--check', patchFile);
    gitSync(repo, 'apply', patchFile);
    expect((await read(repo, 'bin.dat')).equals(BINARY_AGENT)).toBe(true);
    expect(await text(repo, 'ünï/新しい.ts')).toBe('new unicode file\n');
    expect(await text(repo, 'line\nbreak.txt')).toBe('odd name\n');
    expect(existsSync(path.join(repo, 'del.ts'))).toBe(false);
    expect(await text(repo, 'user.txt')).toBe('user edit, not committed\n');
  });

  it('returns undefined and writes no ref or patch when there is nothing to keep', async () => {
    const repo = await setupRepo();
    await userState(repo);
    const start = (await headCommit(repo))!;
    const preDirty = new Set(await userDirtyPaths(repo, HARNESS));
    await writeFiles(repo, { 'dist/bundle.js': 'ignored', '.pi-harness/x.json': '{}' });
    const patchFile = path.join(repo, '.pi-harness', 'none.patch');
    const rescue = await rescueWork({
      cwd: repo,
      startCommit: start,
      preDirty,
      harnessPaths: HARNESS,
      refName: 'refs/pi-harness/rescue/run/1',
      patchFile,
      message: 'nothing',
    });
    expect(rescue).toBeUndefined();
    expect(harnessRefs(repo)).toBe('');
    expect(existsSync(patchFile)).toBe(false);
    const report = await restoreToStart({ cwd: repo, startCommit: start, preDirty, harnessPaths: HARNESS });
    expect(report).toMatchObject({ clean: true, restored: [], removed: [] });
    expect(await text(repo, 'user.txt')).toBe('user edit, not committed\n');
  });

  it('never moves an existing ref: a taken rescue name gets a suffix', async () => {
    const repo = await setupRepo();
    const start = (await headCommit(repo))!;
    const options = {
      cwd: repo,
      startCommit: start,
      preDirty: new Set<string>(),
      harnessPaths: HARNESS,
      refName: 'refs/pi-harness/rescue/r/1',
      message: 'r',
    };
    await writeFiles(repo, { 'a.ts': 'first\n' });
    const first = await rescueWork({ ...options, patchFile: path.join(repo, '.pi-harness/1.patch') });
    await writeFiles(repo, { 'a.ts': 'second\n' });
    const second = await rescueWork({ ...options, patchFile: path.join(repo, '.pi-harness/2.patch') });
    expect(first!.ref).toBe('refs/pi-harness/rescue/r/1');
    expect(second!.ref).toBe('refs/pi-harness/rescue/r/1-2');
    expect(gitSync(repo, 'show', `${first!.ref}:a.ts`)).toBe('first\n');
    await expect(
      rescueWork({ ...options, refName: 'refs/heads/main', patchFile: path.join(repo, 'x.patch') }),
    ).rejects.toThrow(/refs\/pi-harness/);
  });

  it('leaves ignored files alone, even one an agent force-committed or un-ignored', async () => {
    const repo = await setupRepo();
    await writeFiles(repo, { '.env': 'SECRET=user\n', 'debug.log': 'user log\n' });
    const start = (await headCommit(repo))!;
    gitSync(repo, 'add', '-f', '.env');
    gitSync(repo, 'commit', '-qm', 'agent commits .env');
    await writeFiles(repo, { '.gitignore': 'dist/\n.env\n' }); // the agent un-ignores *.log
    const preDirty = new Set<string>();
    await rescueWork({
      cwd: repo,
      startCommit: start,
      preDirty,
      harnessPaths: HARNESS,
      refName: 'refs/pi-harness/rescue/i',
      patchFile: path.join(repo, '.pi-harness/i.patch'),
      message: 'i',
    });
    const report = await restoreToStart({ cwd: repo, startCommit: start, preDirty, harnessPaths: HARNESS });
    expect(report.clean).toBe(true);
    expect(report.keptIgnored.sort()).toEqual(['.env', 'debug.log']);
    expect(await text(repo, '.env')).toBe('SECRET=user\n');
    expect(await text(repo, 'debug.log')).toBe('user log\n');
    expect(await text(repo, '.gitignore')).toBe('dist/\n*.log\n.env\n');
    expect(gitSync(repo, 'ls-files', '.env')).toBe('');
  });

  it('restores a file the agent replaced by a directory, and a branch the agent switched away from', async () => {
    const repo = await setupRepo();
    const start = (await headCommit(repo))!;
    gitSync(repo, 'checkout', '-qb', 'agent-branch');
    await rm(path.join(repo, 'a.ts'));
    await writeFiles(repo, { 'a.ts/inner.ts': 'now a directory\n' });
    gitSync(repo, 'add', '-A');
    gitSync(repo, 'commit', '-qm', 'agent on its own branch');
    const agentTip = (await headCommit(repo))!;
    const report = await restoreToStart({
      cwd: repo,
      startCommit: start,
      preDirty: new Set(),
      harnessPaths: HARNESS,
      startBranch: 'refs/heads/main',
    });
    expect(report.clean).toBe(true);
    expect(report.reattachedFrom).toBe('refs/heads/agent-branch');
    expect(gitSync(repo, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/main');
    expect(gitSync(repo, 'rev-parse', 'agent-branch').trim()).toBe(agentTip); // its commits are not lost
    expect(await text(repo, 'a.ts')).toBe('export const a = 1;\n');
    expect(porcelain(repo)).toBe('');
  });
});

describe('pre-dirty files (allowDirty)', () => {
  async function dirtyUser(repo: string): Promise<void> {
    await writeFiles(repo, { 'user.txt': 'user staged\n' });
    gitSync(repo, 'add', 'user.txt');
    await writeFiles(repo, { 'user.txt': 'user worktree\n', 'mine.md': 'my new file\n', '.pi-harness/log': 'h\n' });
    await rm(path.join(repo, 'del.ts')); // the user deleted a tracked file, unstaged
  }

  it('puts back the user’s exact bytes and index, and rescues only the agent’s edits on top', async () => {
    const repo = await setupRepo();
    await dirtyUser(repo);
    const start = (await headCommit(repo))!;
    const statusBefore = porcelain(repo);
    const preDirty = new Set(await userDirtyPaths(repo, HARNESS));
    const snapshot = await snapshotPreDirty({
      cwd: repo,
      startCommit: start,
      preDirty,
      harnessPaths: HARNESS,
      refName: 'refs/pi-harness/predirty/run/1',
    });
    expect(snapshot!.paths).toEqual(['del.ts', 'mine.md', 'user.txt']);
    expect(porcelain(repo)).toBe(statusBefore); // snapshotting touched nothing
    expect(await readPreDirtySnapshot(repo, snapshot!.ref)).toEqual(snapshot);

    // the agent edits a pre-dirty file, recreates the deleted one, deletes the user's new file,
    // adds its own, and commits everything with `git add -A`
    await writeFiles(repo, {
      'user.txt': 'user worktree\nagent line\n',
      'del.ts': 'agent recreated\n',
      'agent.ts': 'agent\n',
    });
    await rm(path.join(repo, 'mine.md'));
    gitSync(repo, 'add', '-A', '--', '.', ':!.pi-harness');
    gitSync(repo, 'commit', '-qm', 'agent: everything');

    // mine.md was never in a commit: deleting it committed nothing
    expect(await detectForeignFilesInCommits({ cwd: repo, startCommit: start, preDirty })).toEqual([
      'del.ts',
      'user.txt',
    ]);
    const patchFile = path.join(await tempDir(), 'p.patch');
    const rescue = await rescueWork({
      cwd: repo,
      startCommit: start,
      preDirty,
      harnessPaths: HARNESS,
      preDirtySnapshot: snapshot,
      refName: 'refs/pi-harness/rescue/run/1',
      patchFile,
      message: 'rescue',
    });
    expect(rescue!.base).toBe(snapshot!.commit);
    expect(rescue!.files.sort()).toEqual(['agent.ts', 'del.ts', 'mine.md', 'user.txt']);
    const agentDiff = gitSync(repo, 'diff', rescue!.base, rescue!.commit, '--', 'user.txt');
    expect(agentDiff).toContain('+agent line');
    expect(agentDiff).not.toContain('user staged');
    expect(agentDiff).not.toMatch(/^-user/m); // the user's own edit is not part of the agent's diff

    const report = await restoreToStart({
      cwd: repo,
      startCommit: start,
      preDirty,
      harnessPaths: HARNESS,
      preDirtySnapshot: snapshot,
    });
    expect(report.clean).toBe(true);
    expect(report.preDirtyRestored.sort()).toEqual(['del.ts', 'mine.md', 'user.txt']);
    expect(await headCommit(repo)).toBe(start);
    expect(await text(repo, 'user.txt')).toBe('user worktree\n');
    expect(gitSync(repo, 'show', ':user.txt')).toBe('user staged\n'); // the staged version too
    expect(await text(repo, 'mine.md')).toBe('my new file\n');
    expect(existsSync(path.join(repo, 'del.ts'))).toBe(false);
    expect(existsSync(path.join(repo, 'agent.ts'))).toBe(false);
    expect(porcelain(repo)).toBe(statusBefore);

    // the patch is the agent's work relative to the user's state, and applies to it
    gitSync(repo, 'apply', '--check', patchFile);
  });

  it('without a snapshot never touches a pre-dirty file', async () => {
    const repo = await setupRepo();
    await dirtyUser(repo);
    const start = (await headCommit(repo))!;
    const preDirty = new Set(await userDirtyPaths(repo, HARNESS));
    await writeFiles(repo, { 'user.txt': 'agent edit\n', 'a.ts': 'agent\n' });
    const report = await restoreToStart({ cwd: repo, startCommit: start, preDirty, harnessPaths: HARNESS });
    expect(report.restored).toEqual(['a.ts']);
    expect(await text(repo, 'user.txt')).toBe('agent edit\n');
    expect(await text(repo, 'mine.md')).toBe('my new file\n');
  });

  it('rebuilds agent commits without the foreign files, leaving them dirty with their current content', async () => {
    const repo = await setupRepo();
    await writeFiles(repo, { 'user.txt': 'user edit\n', 'mine.md': 'mine\n', '.pi-harness/state.json': '{}' });
    const start = (await headCommit(repo))!;
    const preDirty = new Set(await userDirtyPaths(repo, HARNESS));
    await writeFiles(repo, { 'a.ts': 'agent a\n', 'user.txt': 'user edit\nagent too\n' });
    gitSync(repo, 'add', '-A');
    gitSync(repo, 'commit', '-qm', 'Agent does the task');
    await writeFiles(repo, { 'b.ts': 'agent b\n' });
    gitSync(repo, 'add', '-A');
    gitSync(repo, 'commit', '-qm', 'Agent follow-up');

    const foreign = await detectForeignFilesInCommits({
      cwd: repo,
      startCommit: start,
      preDirty,
      harnessPaths: HARNESS,
    });
    expect(foreign).toEqual(['.pi-harness/state.json', 'mine.md', 'user.txt']);
    const result = await rebuildCommitWithout({ cwd: repo, startCommit: start, exclude: foreign });
    expect(result.replaced).toHaveLength(2);
    expect(result.commit).toBe(await headCommit(repo));
    expect(gitSync(repo, 'rev-parse', 'HEAD^').trim()).toBe(start);
    expect(gitSync(repo, 'diff', '--name-only', start, 'HEAD').trim().split('\n').sort()).toEqual(['a.ts', 'b.ts']);
    expect(gitSync(repo, 'log', '-1', '--format=%B')).toContain('Agent does the task');
    expect(gitSync(repo, 'log', '-1', '--format=%an')).toBe('Test Author\n');
    expect(await text(repo, 'user.txt')).toBe('user edit\nagent too\n');
    expect(await text(repo, 'mine.md')).toBe('mine\n');
    expect(await text(repo, '.pi-harness/state.json')).toBe('{}');
    const entries = gitSync(repo, 'status', '--porcelain=v1').split('\n').filter(Boolean).sort();
    expect(entries).toEqual(['?? .pi-harness/', '?? mine.md', ' M user.txt'].sort());
  });

  it('rebuilding when only foreign files were committed moves HEAD back to the start', async () => {
    const repo = await setupRepo();
    await writeFiles(repo, { 'user.txt': 'user edit\n' });
    const start = (await headCommit(repo))!;
    gitSync(repo, 'commit', '-qam', 'agent committed only the user file');
    const result = await rebuildCommitWithout({ cwd: repo, startCommit: start, exclude: ['user.txt'] });
    expect(result.commit).toBeUndefined();
    expect(await headCommit(repo)).toBe(start);
    expect(await text(repo, 'user.txt')).toBe('user edit\n');
    expect(gitSync(repo, 'status', '--porcelain=v1')).toBe(' M user.txt\n');
  });
});
