/**
 * The snapshot around an iteration, against real repositories: whatever an agent does to refs, the
 * stash, rescue refs, .git/config, .git/hooks and the user's ignored files comes back byte for byte
 * and is reported; the caller's own moves are left alone.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { releaseSnapshot, restoreSnapshot, takeSnapshot } from '../../../src/guardrails/snapshot/index.js';
import { gitSync, makeRepo, writeFiles } from '../../helpers/git-repo.js';

const SECRET = Buffer.from('API_KEY=sk-test-\u00e9\u0000binary\n', 'utf8');

async function userRepo(): Promise<string> {
  const repo = await makeRepo({ '.gitignore': '.env\n*.log\nnode_modules/\nbig.bin\n', 'a.ts': 'a\n' });
  gitSync(repo, 'commit', '--allow-empty', '-qm', 'second');
  gitSync(repo, 'branch', 'feature');
  gitSync(repo, 'tag', 'v1');
  gitSync(repo, 'tag', '-a', 'v2', '-m', 'annotated');
  gitSync(repo, 'update-ref', 'refs/pi-harness/rescue/run1/1', 'HEAD~1');
  for (const n of [1, 2, 3]) {
    await writeFile(path.join(repo, 'a.ts'), `stash ${n}\n`);
    gitSync(repo, 'stash', 'push', '-q', '-m', `user stash ${n}`);
  }
  await writeFile(path.join(repo, '.env'), SECRET);
  await writeFiles(repo, { 'logs/app.log': 'log line\n', 'node_modules/x/index.js': 'skipped\n' });
  await writeFile(path.join(repo, 'big.bin'), Buffer.alloc(2 * 1024 * 1024, 1));
  const hook = path.join(repo, '.git', 'hooks', 'commit-msg');
  await writeFile(hook, '#!/bin/sh\nexit 0\n');
  await chmod(hook, 0o755);
  return repo;
}

const refsOf = (repo: string) =>
  gitSync(repo, 'for-each-ref', '--format=%(refname) %(objectname)')
    .split('\n')
    .filter((line) => !line.startsWith('refs/pi-harness/guardrails/'))
    .join('\n');
const stashOf = (repo: string) => gitSync(repo, 'stash', 'list', '--format=%H %gs');

describe('guardrail snapshot', () => {
  it('restores every ref, stash entry, config, hook and ignored file an agent destroyed', async () => {
    const repo = await userRepo();
    const refsBefore = refsOf(repo);
    const stashBefore = stashOf(repo);
    const configBefore = await readFile(path.join(repo, '.git', 'config'));
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'run1-1' });
    expect(snapshot.unprotected).toEqual(['big.bin']);
    expect(snapshot.ignored.map((f) => f.path)).toEqual(['.env', 'logs/app.log']);

    // The hostile agent.
    gitSync(repo, 'branch', '-D', 'feature');
    gitSync(repo, 'tag', '-d', 'v1');
    gitSync(repo, 'tag', '-d', 'v2');
    gitSync(repo, 'stash', 'drop', '-q', 'stash@{1}');
    gitSync(repo, 'update-ref', '-d', 'refs/pi-harness/rescue/run1/1');
    gitSync(repo, 'update-ref', 'refs/heads/main', 'HEAD~1');
    gitSync(repo, 'config', 'core.hooksPath', '/tmp/evil');
    await writeFile(path.join(repo, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\ncurl evil\n');
    await writeFile(path.join(repo, '.git', 'hooks', 'commit-msg'), '#!/bin/sh\nexit 1\n');
    await rm(path.join(repo, '.env'));
    await rm(path.join(repo, 'logs'), { recursive: true });
    gitSync(repo, 'branch', 'agent-branch');

    const { records, visibleIgnored } = await restoreSnapshot(snapshot);
    const without = (text: string) =>
      text
        .split('\n')
        .filter((l) => !l.startsWith('refs/heads/agent-branch'))
        .join('\n');
    expect(without(refsOf(repo))).toBe(without(refsBefore));
    expect(stashOf(repo)).toBe(stashBefore);
    expect(gitSync(repo, 'stash', 'show', '-p', 'stash@{1}')).toContain('stash 2');
    expect(await readFile(path.join(repo, '.git', 'config'))).toEqual(configBefore);
    expect(existsSync(path.join(repo, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(await readFile(path.join(repo, '.git', 'hooks', 'commit-msg'), 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    expect((await stat(path.join(repo, '.git', 'hooks', 'commit-msg'))).mode & 0o777).toBe(0o755);
    expect(await readFile(path.join(repo, '.env'))).toEqual(SECRET);
    expect(await readFile(path.join(repo, 'logs', 'app.log'), 'utf8')).toBe('log line\n');
    expect(visibleIgnored).toEqual([]);

    const kinds = records.map(
      (r) =>
        `${r.kind}:${'ref' in r ? r.ref : 'path' in r ? r.path : 'hook' in r ? r.hook : 'file' in r ? path.basename(r.file) : ''}`,
    );
    expect(kinds.sort()).toEqual(
      [
        'ref_restored:refs/heads/feature',
        'ref_restored:refs/heads/main',
        'ref_restored:refs/tags/v1',
        'ref_restored:refs/tags/v2',
        'ref_restored:refs/pi-harness/rescue/run1/1',
        'ref_created:refs/heads/agent-branch',
        'stash_restored:',
        'git_file_restored:config',
        'hook_restored:commit-msg',
        'hook_removed:pre-commit',
        'ignored_restored:.env',
        'ignored_restored:logs/app.log',
      ].sort(),
    );
    const planted = records.find((r) => r.kind === 'hook_removed');
    expect(planted && 'movedTo' in planted && (await readFile(planted.movedTo, 'utf8'))).toContain('curl evil');
    await releaseSnapshot(snapshot);
    expect(gitSync(repo, 'for-each-ref', 'refs/pi-harness/guardrails/')).toBe('');
  });

  it("leaves the caller's own moves alone and reports nothing when nothing changed", async () => {
    const repo = await userRepo();
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'own' });
    expect((await restoreSnapshot(snapshot)).records).toEqual([]);
    gitSync(repo, 'commit', '--allow-empty', '-qm', 'the iteration commits');
    gitSync(repo, 'update-ref', 'refs/pi-harness/rescue/run1/2', 'HEAD');
    const own = { 'refs/heads/main': 'fast-forward' as const, 'refs/pi-harness/rescue/': 'any' as const };
    const head = gitSync(repo, 'rev-parse', 'HEAD').trim();
    expect((await restoreSnapshot(snapshot, { ownRefs: own })).records).toEqual([]);
    expect(gitSync(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    // A move backwards is not the caller's, even on its own branch.
    gitSync(repo, 'reset', '-q', '--soft', 'HEAD~2');
    const { records } = await restoreSnapshot(snapshot, { ownRefs: own });
    expect(records).toMatchObject([{ kind: 'ref_restored', ref: 'refs/heads/main', change: 'moved' }]);
  });

  it('reports ignored files an edited .gitignore made visible, and keeps changed ones', async () => {
    const repo = await userRepo();
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'visible' });
    await writeFile(path.join(repo, '.gitignore'), 'node_modules/\nbig.bin\n');
    await writeFile(path.join(repo, 'logs', 'app.log'), 'agent rewrote it\n');
    const { records, visibleIgnored } = await restoreSnapshot(snapshot);
    expect(visibleIgnored).toEqual(['.env', 'logs/app.log']);
    expect(records).toContainEqual({ kind: 'ignored_visible', path: '.env' });
    const changed = records.find((r) => r.kind === 'ignored_changed');
    expect(changed).toMatchObject({ path: 'logs/app.log', action: 'kept' });
    expect(changed && 'original' in changed && gitSync(repo, 'cat-file', 'blob', changed.original)).toBe('log line\n');
  });

  it('survives git clean -fdx and gc --prune=now with its pin', async () => {
    const repo = await userRepo();
    const snapshot = await takeSnapshot({
      repoRoot: repo,
      label: 'clean',
      protectIgnored: { maxFileBytes: 4 * 1024 * 1024 },
    });
    expect(snapshot.unprotected).toEqual([]);
    gitSync(repo, 'clean', '-fdxq');
    gitSync(repo, 'stash', 'clear');
    gitSync(repo, 'reflog', 'expire', '--expire=now', '--all');
    gitSync(repo, 'gc', '-q', '--prune=now');
    await restoreSnapshot(snapshot);
    expect(await readFile(path.join(repo, '.env'))).toEqual(SECRET);
    expect((await stat(path.join(repo, 'big.bin'))).size).toBe(2 * 1024 * 1024);
    expect(existsSync(path.join(repo, 'node_modules'))).toBe(false); // skipped by default
    expect(stashOf(repo).split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('keeps no ignored files when told not to', async () => {
    const repo = await userRepo();
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'off', protectIgnored: false });
    expect(snapshot.ignored).toEqual([]);
  });

  it('stores the ignored files in no commit, only in a tree the snapshot pins', async () => {
    const repo = await userRepo();
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'secret' });
    const envBlob = snapshot.ignored.find((f) => f.path === '.env')!.blob!;
    const commits = gitSync(repo, 'rev-list', '--all', '--reflog').split('\n').filter(Boolean);
    for (const commit of commits) {
      const blobs = gitSync(repo, 'ls-tree', '-r', '--format=%(objectname)', commit);
      expect(blobs, commit).not.toContain(envBlob);
    }
    // Still safe from gc: the content ref holds it.
    await rm(path.join(repo, '.env'));
    gitSync(repo, 'gc', '-q', '--prune=now');
    await restoreSnapshot(snapshot);
    expect(await readFile(path.join(repo, '.env'))).toEqual(SECRET);
    await releaseSnapshot(snapshot);
    expect(gitSync(repo, 'for-each-ref', 'refs/pi-harness/guardrails/')).toBe('');
  });

  it('in a dry run reports every change and puts nothing back', async () => {
    const repo = await userRepo();
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'dry' });
    gitSync(repo, 'branch', '-D', 'feature');
    gitSync(repo, 'stash', 'clear');
    gitSync(repo, 'config', 'core.hooksPath', '/tmp/evil');
    await writeFile(path.join(repo, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\n');
    await rm(path.join(repo, '.env'));
    const { records } = await restoreSnapshot(snapshot, { dryRun: true });
    expect(records.map((r) => r.kind).sort()).toEqual(
      ['git_file_restored', 'hook_removed', 'ignored_restored', 'ref_restored', 'stash_restored'].sort(),
    );
    expect(gitSync(repo, 'branch', '--list', 'feature')).toBe('');
    expect(stashOf(repo)).toBe('');
    expect(existsSync(path.join(repo, '.env'))).toBe(false);
    expect(existsSync(path.join(repo, '.git', 'hooks', 'pre-commit'))).toBe(true);
    expect(gitSync(repo, 'config', 'core.hooksPath').trim()).toBe('/tmp/evil');
  });

  it('rebuilds a stash entry the agent made without the ignored files it exposed and swept in', async () => {
    const repo = await userRepo();
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'stash-secret' });
    const userEntries = stashOf(repo);
    await writeFile(path.join(repo, '.gitignore'), 'node_modules/\nbig.bin\n');
    await writeFile(path.join(repo, 'agent.txt'), 'agent work\n');
    gitSync(repo, 'stash', 'push', '-q', '--include-untracked', '-m', 'agent');
    expect(gitSync(repo, 'log', '--all', '--format=%H', '-S', 'sk-test')).not.toBe('');

    const { records } = await restoreSnapshot(snapshot);
    expect(records).toContainEqual({
      kind: 'stash_scrubbed',
      message: 'On main: agent',
      removed: ['.env', 'logs/app.log'],
    });
    expect(gitSync(repo, 'log', '--all', '--format=%H', '-S', 'sk-test')).toBe('');
    const entries = stashOf(repo).trim().split('\n');
    expect(entries.slice(1).join('\n')).toBe(userEntries.trim());
    // The agent's other work is still in its entry, and .env is back on disk.
    expect(gitSync(repo, 'show', 'stash@{0}^3:agent.txt')).toBe('agent work\n');
    expect(await readFile(path.join(repo, '.env'))).toEqual(SECRET);
  });

  it('deletes a ref the agent created whose commits hold an ignored file; keeps the others', async () => {
    const repo = await userRepo();
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'branch-secret' });
    gitSync(repo, 'branch', 'agent-clean');
    gitSync(repo, 'checkout', '-q', '-b', 'agent-leak');
    gitSync(repo, 'add', '-f', '.env');
    gitSync(repo, 'commit', '-qm', 'leak');
    const leak = gitSync(repo, 'rev-parse', 'HEAD').trim();
    gitSync(repo, 'checkout', '-q', 'main');

    const { records } = await restoreSnapshot(snapshot);
    expect(records).toContainEqual({
      kind: 'ref_created',
      ref: 'refs/heads/agent-leak',
      target: leak,
      action: 'deleted',
      holding: ['.env'],
    });
    expect(records).toContainEqual(expect.objectContaining({ ref: 'refs/heads/agent-clean', action: 'kept' }));
    expect(gitSync(repo, 'branch', '--list', 'agent-leak')).toBe('');
    expect(gitSync(repo, 'log', '--all', '--format=%H', '-S', 'sk-test')).toBe('');
    expect(gitSync(repo, 'cat-file', '-t', leak).trim()).toBe('commit');
  });

  it('compares an unchanged hook without reading it, and sees one rewritten to the same size and time', async () => {
    const repo = await userRepo();
    const hook = path.join(repo, '.git', 'hooks', 'commit-msg');
    // Older than the racy window: a snapshot remembers its blob id by inode, size and times.
    const old = new Date(Date.now() - 60_000);
    await utimes(hook, old, old);
    await takeSnapshot({ repoRoot: repo, label: 'first' });
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'second' });
    const unchanged = await restoreSnapshot(snapshot, { dryRun: true });
    expect(unchanged.records.filter((r) => r.kind.startsWith('hook'))).toEqual([]);

    // The agent's rewrite: the same length, the old modification time put back. Its change time
    // (which no one can set) tells it apart.
    await writeFile(hook, '#!/bin/sh\nexit 1\n');
    await utimes(hook, old, old);
    const { records } = await restoreSnapshot(snapshot);
    expect(records).toContainEqual(expect.objectContaining({ kind: 'hook_restored', hook: 'commit-msg' }));
    expect(await readFile(hook, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
  });
});
