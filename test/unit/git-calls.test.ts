/**
 * The harness asks git once for what a commit id names: a logging `git` first on PATH counts the
 * calls the integrity reads and the guardrail snapshot make, as the loop makes them (the baseline,
 * then two checks of one iteration, then the snapshot taken and compared).
 */
import { chmod, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreSnapshot, takeSnapshot } from '../../src/guardrails/snapshot/index.js';
import { readIterationChanges, readTextAtCommit, recordTestBaseline } from '../../src/integrity/index.js';
import { isAncestor, readHeadCommit } from '../../src/workspace/ancestry.js';
import { treeOfCommit } from '../../src/workspace/commit-trees.js';
import { readTreeState } from '../../src/workspace/tree-state.js';
import { gitSync, makeRepo, writeFiles } from '../helpers/git-repo.js';

let bin: string;
let log: string;
const savedPath = process.env.PATH;

beforeAll(async () => {
  // Not a per-test temp dir: the shim serves every test of the file.
  bin = await mkdtemp(path.join(tmpdir(), 'pi-harness-git-shim-'));
  log = path.join(bin, 'calls.log');
  const shim = path.join(bin, 'git');
  // Each call's arguments on one line, then the real git (found on the PATH after the shim's dir).
  await writeFile(shim, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nPATH="${savedPath}" exec git "$@"\n`);
  await chmod(shim, 0o755);
  await writeFile(log, '');
  process.env.PATH = `${bin}:${savedPath}`;
});

afterAll(async () => {
  process.env.PATH = savedPath;
  await rm(bin, { recursive: true, force: true });
});

async function callsDuring(work: () => Promise<unknown>): Promise<string[]> {
  await writeFile(log, '');
  await work();
  return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
}

const count = (calls: string[], pattern: RegExp) => calls.filter((call) => pattern.test(call)).length;

describe('git calls the harness makes per iteration', () => {
  it('lists the start commit once for the baseline and every check of the iteration', async () => {
    const repo = await makeRepo({ 'package.json': '{"scripts":{"test":"node --test"}}\n', 'a.test.js': 'ok\n' });
    const commit = gitSync(repo, 'rev-parse', 'HEAD').trim();
    await writeFiles(repo, { 'a.test.js': 'changed\n' });
    const calls = await callsDuring(async () => {
      await recordTestBaseline({ cwd: repo, commit, testGlobs: ['**/*.test.js'] });
      for (let check = 0; check < 2; check++) {
        const changes = await readIterationChanges({ cwd: repo, startCommit: commit, paths: ['a.test.js'] });
        expect(changes[0]).toMatchObject({ before: { text: 'ok\n' }, after: { text: 'changed\n' } });
        expect(await readTextAtCommit(repo, commit, 'package.json')).toContain('node --test');
      }
    });
    expect(count(calls, /ls-tree/)).toBe(1);
    expect(count(calls, /\^\{tree\}/)).toBe(1);
    // The old content of a.test.js, then package.json's: each blob read once.
    expect(count(calls, /cat-file --batch$/)).toBe(2);
  });

  it('takes and compares the snapshot without asking for the stash or the empty tree again', async () => {
    const repo = await makeRepo();
    await writeFiles(repo, { '.gitignore': '.env\n', '.env': 'SECRET=1\n' });
    const first = await callsDuring(() => takeSnapshot({ repoRoot: repo, label: 'run-1' }));
    const snapshot = await takeSnapshot({ repoRoot: repo, label: 'run-2' });
    const again = await callsDuring(() => takeSnapshot({ repoRoot: repo, label: 'run-3' }));
    const compared = await callsDuring(() => restoreSnapshot(snapshot, { dryRun: true }));
    for (const calls of [first, again, compared]) expect(count(calls, /refs\/stash/)).toBe(0);
    expect(count(first, /for-each-ref/)).toBe(1);
    // Config, hooks and the ignored .env: one hash-object for all of them.
    expect(count(first, /hash-object/)).toBe(1);
    expect(count(first, /cat-file/)).toBe(0);
    // The empty tree, the content tree of unchanged files and where the git directories are: asked
    // by the first snapshot of the repository only.
    expect(count(again, /write-tree|update-index|--git-dir/)).toBe(0);
    expect(count(compared, /for-each-ref/)).toBe(1);
  });

  it('hashes a stored file again only when it changed, and writes the content tree again then', async () => {
    const repo = await makeRepo();
    await writeFiles(repo, { '.gitignore': '.env\n', '.env': 'SECRET=1\n' });
    const env = path.join(repo, '.env');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    // Files changed just before they are hashed may change again unseen: only older ones are
    // remembered. The stored files here: .env, git's config and the sample hooks of `git init`.
    const hooks = path.join(repo, '.git', 'hooks');
    for (const file of [
      env,
      path.join(repo, '.git', 'config'),
      ...(await readdir(hooks)).map((h) => path.join(hooks, h)),
    ])
      await utimes(file, anHourAgo, anHourAgo);
    const stored = (label: string) => gitSync(repo, 'show', `refs/pi-harness/guardrails/content/${label}:ignored/.env`);
    await takeSnapshot({ repoRoot: repo, label: 'run-1' });
    const unchanged = await callsDuring(() => takeSnapshot({ repoRoot: repo, label: 'run-1b' }));
    expect(count(unchanged, /hash-object|write-tree|update-index/)).toBe(0);
    expect(stored('run-1b')).toBe('SECRET=1\n');
    // Same size, same modification time put back: the change time still tells.
    await writeFiles(repo, { '.env': 'SECRET=2\n' });
    await utimes(env, anHourAgo, anHourAgo);
    const changed = await callsDuring(() => takeSnapshot({ repoRoot: repo, label: 'run-2' }));
    expect(count(changed, /hash-object/)).toBe(1);
    expect(count(changed, /write-tree/)).toBe(1);
    expect(stored('run-2')).toBe('SECRET=2\n');
    // Every pin gone and the objects pruned: the remembered tree no longer exists.
    const snapshotRefs = gitSync(repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/').split('\n');
    for (const ref of snapshotRefs.filter(Boolean)) gitSync(repo, 'update-ref', '-d', ref);
    gitSync(repo, 'reflog', 'expire', '--expire=now', '--all');
    gitSync(repo, 'gc', '-q', '--prune=now');
    await takeSnapshot({ repoRoot: repo, label: 'run-3' });
    expect(stored('run-3')).toBe('SECRET=2\n');
  });

  it('asks whether one commit descends from another once per pair', async () => {
    const repo = await makeRepo();
    const start = gitSync(repo, 'rev-parse', 'HEAD').trim();
    gitSync(repo, 'commit', '-q', '--allow-empty', '-m', 'next');
    const head = gitSync(repo, 'rev-parse', 'HEAD').trim();
    const calls = await callsDuring(async () => {
      expect(await isAncestor(repo, start, head)).toBe(true);
      expect(await isAncestor(repo, head, start)).toBe(false);
      expect(await isAncestor(repo, start, head)).toBe(true);
      expect(await isAncestor(repo, head, start)).toBe(false);
    });
    expect(count(calls, /merge-base --is-ancestor/)).toBe(2);
  });

  it('reads the commit the harness just made once: its ancestors and tree are known from that read', async () => {
    const repo = await makeRepo();
    const start = gitSync(repo, 'rev-parse', 'HEAD').trim();
    gitSync(repo, 'commit', '-q', '--allow-empty', '-m', 'the harness commit');
    const tree = gitSync(repo, 'rev-parse', 'HEAD^{tree}').trim();
    let made: Awaited<ReturnType<typeof readHeadCommit>> | undefined;
    const calls = await callsDuring(async () => {
      made = await readHeadCommit(repo);
      expect(await isAncestor(repo, start, made.commit)).toBe(true);
      expect(await treeOfCommit(repo, made.commit)).toBe(tree);
    });
    expect(made).toEqual({ commit: gitSync(repo, 'rev-parse', 'HEAD').trim(), subject: 'the harness commit' });
    expect(calls).toHaveLength(1);
  });

  it('reads the work tree after a step with three calls once its scratch index is made', async () => {
    const repo = await makeRepo({ 'a.txt': '1\n', 'TODOS.md': '- [ ] t\n' });
    const filter = { preDirty: new Set<string>(), harnessPaths: [] };
    const read = () => readTreeState({ repoRoot: repo, startCommit: undefined, filter, notProduct: ['TODOS.md'] });
    const first = await read();
    await writeFiles(repo, { 'b.txt': 'new\n' });
    let second: Awaited<ReturnType<typeof read>> | undefined;
    const calls = await callsDuring(async () => {
      second = await read();
    });
    // HEAD, the branch and the changes in one status; the fingerprint's add and write-tree: nothing
    // else (not where the index is, not the branch).
    expect(calls).toHaveLength(3);
    expect([/ status --porcelain=v2 /, / add -A /, / write-tree$/].map((call) => count(calls, call))).toEqual([
      1, 1, 1,
    ]);
    expect(second?.head).toBe(first.head);
    expect(second?.branch).toBe('refs/heads/main');
    expect(second?.changes.uncommitted).toEqual(['b.txt']);
    expect(second?.fingerprint).not.toBe(first.fingerprint);
  });

  it('reads the committed changes up to the commit it expects beside the status, used if HEAD is there', async () => {
    const repo = await makeRepo({ 'a.txt': '1\n' });
    const start = gitSync(repo, 'rev-parse', 'HEAD').trim();
    await writeFiles(repo, { 'b.txt': 'b\n' });
    gitSync(repo, 'add', 'b.txt');
    gitSync(repo, 'commit', '-qm', 'b');
    const made = gitSync(repo, 'rev-parse', 'HEAD').trim();
    const filter = { preDirty: new Set<string>(), harnessPaths: [] };
    const read = (expectedHead: string) =>
      readTreeState({ repoRoot: repo, startCommit: start, filter, notProduct: [], fingerprint: false, expectedHead });
    let there: Awaited<ReturnType<typeof read>> | undefined;
    const calls = await callsDuring(async () => {
      there = await read(made);
    });
    expect(there?.changes.committed).toEqual(['b.txt']);
    expect([/ status --porcelain=v2 /, / diff --name-only /].map((call) => count(calls, call))).toEqual([1, 1]);
    // HEAD is not where the caller thought (something moved it since): the changes are read again
    // up to where it is.
    await writeFiles(repo, { 'c.txt': 'c\n' });
    gitSync(repo, 'add', 'c.txt');
    gitSync(repo, 'commit', '-qm', 'c');
    const elsewhere = await read(made);
    expect(elsewhere.head).not.toBe(made);
    expect(elsewhere.changes.committed).toEqual(['b.txt', 'c.txt']);
  });
});
