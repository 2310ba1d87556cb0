/**
 * Where the harness keeps its files (runtime/harness-home.ts), which of the work tree's paths are
 * its own (runtime/own-paths.ts), and what the journals say about an unfinished iteration
 * (loop/crash-journal.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { journaledCommit, unfinishedIteration } from '../../src/loop/crash-journal.js';
import {
  harnessHome,
  journalFileOf,
  listRunJournals,
  locateWorkTree,
  type HarnessHome,
} from '../../src/runtime/harness-home.js';
import { findRepoRoot } from '../../src/workspace/repo-root.js';
import { excludeOwnPaths, harnessOwnPaths } from '../../src/runtime/own-paths.js';
import { isHarnessPath, userDirtyPaths } from '../../src/workspace/changes.js';
import { gitSync, makeRepo } from '../helpers/git-repo.js';
import { succeededIteration, task } from '../helpers/journal.js';
import { tempDir } from '../helpers/temp-dir.js';

async function homeFor(dir: string, env: NodeJS.ProcessEnv = {}) {
  const { config } = await loadConfig({ repoRoot: dir, cwd: dir, env });
  return { config, home: await harnessHome(config) };
}

function writeJournal(file: string, runId: string, bodies: Record<string, unknown>[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const lines = bodies.map((body, i) =>
    JSON.stringify({ v: 1, runId, at: `2026-01-01T00:00:0${i % 10}Z`, seq: i + 1, ...body }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('locateWorkTree', () => {
  it('finds in one git call what findRepoRoot and harnessHome find in two, in a linked work tree too', async () => {
    const repo = await makeRepo();
    const linked = path.join(await tempDir(), 'linked');
    gitSync(repo, 'worktree', 'add', '-q', '-b', 'side', linked);
    mkdirSync(path.join(linked, 'sub'));
    for (const cwd of [repo, path.join(linked, 'sub')]) {
      const located = await locateWorkTree(cwd);
      const root = await findRepoRoot(cwd);
      expect(located?.root).toBe(root);
      const { config } = await loadConfig({ repoRoot: root, cwd, env: {} });
      expect(await harnessHome(config, located?.dirs)).toEqual(await harnessHome(config));
    }
  });

  it('is undefined outside a work tree (the caller takes the two-call way)', async () => {
    expect(await locateWorkTree(await tempDir())).toBeUndefined();
  });
});

describe('harnessHome', () => {
  it('puts the lock, state and journals under the git common dir, one lock for every work tree', async () => {
    const repo = await makeRepo({ 'pi.config.json': JSON.stringify({ activeRunFile: 'x.lock' }) });
    const { home, config } = await homeFor(repo, { PI_RUNTIME_DIR: 'elsewhere' });
    const common = path.join(repo, '.git', 'pi-harness');
    expect(home).toMatchObject({
      repoDir: common,
      lockFile: path.join(common, 'lock.json'),
      dir: common,
      stateFile: path.join(common, 'state.json'),
      runsDir: path.join(common, 'runs'),
      runtimeDir: path.join(repo, 'elsewhere'),
      lockProjection: config.activeRunFile,
      inGit: true,
    });
    const linked = path.join(await tempDir(), 'linked');
    gitSync(repo, 'worktree', 'add', '-q', '-b', 'side', linked);
    const other = (await homeFor(linked)).home;
    expect(other.lockFile).toBe(home.lockFile);
    expect(other.dir).toBe(path.join(common, 'worktrees', 'linked'));
    expect(other.stateFile).toBe(path.join(common, 'worktrees', 'linked', 'state.json'));
  });

  it('outside a git repository keeps everything under the runtime directory', async () => {
    const dir = await tempDir();
    const { home } = await homeFor(dir);
    expect(home.inGit).toBe(false);
    expect(home.lockFile).toBe(path.join(dir, '.pi-harness', 'home', 'lock.json'));
  });

  it("lists this version's journals and those an earlier version left in the runtime dir, newest first", async () => {
    const { home } = await homeFor(await makeRepo());
    const legacy = path.join(home.runtimeRunsDir, '20250101T000000Z-000001', 'journal.jsonl');
    writeJournal(legacy, '20250101T000000Z-000001', [{ type: 'warning', message: 'old' }]);
    writeJournal(journalFileOf(home, '20260101T000000Z-000002'), '20260101T000000Z-000002', []);
    mkdirSync(path.join(home.runsDir, '20260102T000000Z-000003')); // refused by the lock: no journal
    expect(listRunJournals(home).map((run) => [run.runId, run.legacy])).toEqual([
      ['20260101T000000Z-000002', false],
      ['20250101T000000Z-000001', true],
    ]);
  });
});

describe("the harness's own paths in the work tree", () => {
  it('are the runtime dir and the runtime files configured inside the repository but outside it', async () => {
    const fields = { logFile: 'logs/h.log', stateFile: 'state.json', failureArtifactDir: 'fails' };
    const repo = await makeRepo({
      'pi.config.json': JSON.stringify({ ...fields, telemetryCsv: '/tmp/out-of-repo.csv' }),
    });
    const { config } = await homeFor(repo);
    expect(harnessOwnPaths(config).sort()).toEqual(['.pi-harness', 'fails', 'logs/h.log', 'state.json']);
    expect(await excludeOwnPaths(config)).toBe(true);
    expect(await excludeOwnPaths(config)).toBe(false); // listed once
    const exclude = readFileSync(path.join(repo, '.git', 'info', 'exclude'), 'utf8').split('\n');
    expect(exclude).toEqual(
      expect.arrayContaining(['/.pi-harness/', '/fails/', '/logs/h.log', '/logs/.h.log.*.tmp', '/state.json']),
    );
    mkdirSync(path.join(repo, 'logs'));
    for (const file of ['logs/h.log', 'logs/.h.log.123.abcdef.tmp', 'state.json', 'fails/x.md', 'mine.txt']) {
      mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      writeFileSync(path.join(repo, file), 'x');
    }
    expect(await userDirtyPaths(repo, harnessOwnPaths(config))).toEqual(['mine.txt']);
    // The same names are the harness's even where info/exclude was edited away.
    expect(isHarnessPath('logs/.h.log.99.0a1b.tmp', harnessOwnPaths(config))).toBe(true);
    expect(isHarnessPath('logs/.h.log.backup', harnessOwnPaths(config))).toBe(false);
    expect(isHarnessPath('state.json.bak', harnessOwnPaths(config))).toBe(false);
  });
});

describe('the journals about an unfinished iteration', () => {
  const start = (iteration: number, startCommit = 'a'.repeat(40)) => ({
    type: 'iteration_start',
    iteration,
    task: task('Write the notes', null, 'task-1'),
    startCommit,
    preDirty: ['dirty.txt'],
    startBranch: 'refs/heads/main',
  });

  async function home(): Promise<HarnessHome> {
    return (await homeFor(await makeRepo())).home;
  }

  it('rebuilds the in-progress record from an iteration_start without its iteration_end', async () => {
    const h = await home();
    const crashed = '20260101T000000Z-000001';
    writeJournal(journalFileOf(h, crashed), crashed, [
      ...succeededIteration(1, 'Earlier', 'c'.repeat(40)),
      start(2),
      {
        type: 'commit',
        iteration: 2,
        commit: 'b'.repeat(40),
        by: 'agent',
        files: [],
        message: 'm',
        tickedByHarness: false,
      },
    ]);
    expect(unfinishedIteration(h, 'current-run')).toEqual({
      record: expect.objectContaining({
        runId: crashed,
        iteration: 2,
        taskId: 'task-1',
        startCommit: 'a'.repeat(40),
        startBranch: 'refs/heads/main',
        commit: 'b'.repeat(40),
      }),
      preDirty: ['dirty.txt'],
    });
    expect(journaledCommit(h, crashed, 2)).toBe('b'.repeat(40));
  });

  it('finds nothing when the last iteration ended or a later run recovered it; a vetoed commit is no commit', async () => {
    const h = await home();
    const first = '20260101T000000Z-000001';
    writeJournal(journalFileOf(h, first), first, [
      start(1),
      {
        type: 'commit',
        iteration: 1,
        commit: 'b'.repeat(40),
        by: 'harness',
        files: [],
        message: 'm',
        tickedByHarness: true,
      },
      {
        type: 'visual_review',
        iteration: 1,
        verdict: 'FAIL',
        vetoed: true,
        fromModel: true,
        summary: 's',
        findings: [],
      },
    ]);
    expect(journaledCommit(h, first, 1)).toBeUndefined();
    expect(unfinishedIteration(h, 'current')?.record.iteration).toBe(1);
    const second = '20260102T000000Z-000002'; // died while recovering it: no iteration of its own
    writeJournal(journalFileOf(h, second), second, [
      { type: 'crash_recovery', iteration: 1, crashedRunId: first, taskText: 'Write the notes' },
    ]);
    expect(unfinishedIteration(h, 'current')).toBeUndefined();
    const third = '20260103T000000Z-000003';
    writeJournal(journalFileOf(h, third), third, succeededIteration(1, 'Later', 'd'.repeat(40)));
    expect(unfinishedIteration(h, 'current')).toBeUndefined();
  });
});
