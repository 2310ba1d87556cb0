import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureDirProblem, runCapture, type CaptureConfig } from '../../../src/visual/capture.js';
import { CAPTURE_DIR_MARKER } from '../../../src/visual/capture-dir.js';
import { afterReview, noteSuccess, reviewDue } from '../../../src/visual/schedule.js';
import { makeRepo } from '../../helpers/git-repo.js';
import { CAPTURE_SCRIPT } from '../../helpers/png.js';

async function setup(command: string): Promise<{ repo: string; config: CaptureConfig }> {
  const repo = await makeRepo({ 'capture.mjs': CAPTURE_SCRIPT, 'README.md': '# r\n' });
  const runtime = path.join(repo, '.pi-harness');
  const config: CaptureConfig = {
    repoRoot: repo,
    piRuntimeDir: runtime,
    activeRunFile: path.join(runtime, 'active-run.json'),
    stateFile: path.join(runtime, 'state.json'),
    visualFeedbackFile: path.join(runtime, 'visual/feedback.md'),
    visualReviewHistoryDir: path.join(runtime, 'visual/history'),
    visualCaptureCommand: command,
    visualCaptureDir: path.join(runtime, 'visual/capture'),
    visualCaptureTimeoutSeconds: 20,
  };
  return { repo, config };
}

const node = JSON.stringify(process.execPath);
const HOSTILE_TASK = 'Show $(touch pwned-task) and `touch pwned-tick`; echo "$HOME" > pwned-home';
const HOSTILE_PHASE = 'Phase $(touch pwned-phase)';

describe('the capture command', () => {
  it('gets task, phase, iteration and changed files as environment values that never run as shell', async () => {
    const { repo, config } = await setup(
      `printf '%s' "$PI_VISUAL_TASK" > task.out; printf '%s' "$PI_VISUAL_PHASE" > phase.out; ${node} capture.mjs home`,
    );
    const outcome = await runCapture({
      config,
      env: process.env,
      iteration: 7,
      task: HOSTILE_TASK,
      phase: HOSTILE_PHASE,
      changedFiles: ['src/a b.ts', 'TODOS.md'],
    });
    expect(outcome.kind).toBe('captured');
    expect(await readFile(path.join(repo, 'task.out'), 'utf8')).toBe(HOSTILE_TASK);
    expect(await readFile(path.join(repo, 'phase.out'), 'utf8')).toBe(HOSTILE_PHASE);
    expect((await readdir(repo)).filter((name) => name.startsWith('pwned'))).toEqual([]);
  });

  it('reports repo files the command changed, but not its own screenshots', async () => {
    const { config } = await setup(`echo built > README.md; ${node} capture.mjs home`);
    const outcome = await runCapture({
      config,
      env: process.env,
      iteration: 1,
      task: 'T',
      phase: null,
      changedFiles: [],
    });
    expect(outcome).toMatchObject({ kind: 'captured', dirtied: ['README.md'] });
  });

  it('passes every PI_VISUAL_* variable, changed files one per line', async () => {
    const { repo, config } = await setup(`${node} capture.mjs home`);
    const log = path.join(repo, 'env.log');
    await runCapture({
      config,
      env: { ...process.env, CAPTURE_LOG: log },
      iteration: 3,
      task: 'T',
      phase: null,
      changedFiles: ['a.ts', 'b c.ts'],
    });
    const { env } = JSON.parse(await readFile(log, 'utf8')) as { env: Record<string, string> };
    expect(env).toEqual({
      PI_VISUAL_CAPTURE_DIR: config.visualCaptureDir,
      PI_VISUAL_ITERATION: '3',
      PI_VISUAL_PHASE: '',
      PI_VISUAL_TASK: 'T',
      PI_VISUAL_CHANGED_FILES: 'a.ts\nb c.ts',
    });
  });

  it('empties the capture dir first, so a stale screenshot cannot pass for a new one', async () => {
    const { config } = await setup(`${node} capture.mjs home`);
    await runCapture({ config, env: process.env, iteration: 1, task: 'T', phase: null, changedFiles: [] });
    await writeFile(path.join(config.visualCaptureDir, 'stale.png'), 'old');
    // This time the manifest names a screen the command does not write: the stale file must not stand in.
    const again = { ...config, visualCaptureCommand: `${node} capture.mjs --missing=home` };
    const outcome = await runCapture({
      config: again,
      env: process.env,
      iteration: 2,
      task: 'T',
      phase: null,
      changedFiles: [],
    });
    expect(outcome).toMatchObject({
      kind: 'failed',
      problem: 'the capture manifest is invalid',
      details: ['screen "home" (home.png): image file not found'],
    });
    expect((await readdir(config.visualCaptureDir)).sort()).toEqual([CAPTURE_DIR_MARKER, 'manifest.json']);
  });

  it('a failing, slow or unset command is a failure that says so', async () => {
    const failing = await setup('echo "browser crashed" >&2; exit 3');
    expect(
      await runCapture({
        config: failing.config,
        env: process.env,
        iteration: 1,
        task: 'T',
        phase: null,
        changedFiles: [],
      }),
    ).toMatchObject({ kind: 'failed', problem: 'the capture command failed (exit 3)' });
    const slow = await setup('sleep 30');
    expect(
      await runCapture({
        config: { ...slow.config, visualCaptureTimeoutSeconds: 1 },
        env: process.env,
        iteration: 1,
        task: 'T',
        phase: null,
        changedFiles: [],
      }),
    ).toMatchObject({
      kind: 'failed',
      problem: expect.stringContaining('did not finish within visualCaptureTimeoutSeconds (1s)'),
    });
    const unset = await setup('');
    expect(
      await runCapture({
        config: unset.config,
        env: process.env,
        iteration: 1,
        task: 'T',
        phase: null,
        changedFiles: [],
      }),
    ).toMatchObject({ kind: 'failed', problem: expect.stringContaining('visualCaptureCommand is not set') });
  });

  it('refuses to empty a capture dir that is the repo, above it, or holds tracked files', async () => {
    const { repo, config } = await setup('true');
    expect(await captureDirProblem({ ...config, visualCaptureDir: repo })).toMatch(/is the repository or contains it/);
    expect(await captureDirProblem({ ...config, visualCaptureDir: path.dirname(repo) })).toMatch(
      /is the repository or contains it/,
    );
    expect(await captureDirProblem({ ...config, visualCaptureDir: path.join(repo, '.') })).toMatch(/repository/);
    await writeFile(path.join(repo, 'README.md'), '# changed\n');
    const outcome = await runCapture({
      config: { ...config, visualCaptureDir: repo },
      env: process.env,
      iteration: 1,
      task: 'T',
      phase: null,
      changedFiles: [],
    });
    expect(outcome.kind).toBe('failed');
    expect(await readFile(path.join(repo, 'README.md'), 'utf8')).toBe('# changed\n');
    expect(await captureDirProblem({ ...config, visualCaptureDir: path.join(repo, 'screens') })).toBeUndefined();
    expect(await captureDirProblem({ ...config, visualCaptureDir: path.join(repo, '.pi-harness') })).toMatch(
      /contains the harness's own/,
    );
    expect(await captureDirProblem({ ...config, visualCaptureDir: path.join(repo, '.pi-harness/visual') })).toMatch(
      /feedback\.md/,
    );
  });
});

describe('the capture dir is emptied only when pi-harness made it', () => {
  const capture = (config: CaptureConfig, visualCaptureDir: string) =>
    runCapture({
      config: { ...config, visualCaptureDir },
      env: process.env,
      iteration: 1,
      task: 'T',
      phase: null,
      changedFiles: [],
    });

  it('refuses .git, node_modules and a directory of the user, touching nothing in them', async () => {
    const { repo, config } = await setup(`${node} capture.mjs home`);
    const gitBefore = (await readdir(path.join(repo, '.git'))).sort();
    const refused = await capture(config, path.join(repo, '.git'));
    expect(refused).toMatchObject({ kind: 'failed', problem: expect.stringContaining('pi-harness did not put there') });
    expect((await readdir(path.join(repo, '.git'))).sort()).toEqual(gitBefore);

    await mkdir(path.join(repo, 'node_modules/left-pad'), { recursive: true });
    await writeFile(path.join(repo, 'node_modules/left-pad/index.js'), 'module.exports = 1;\n');
    expect(await capture(config, path.join(repo, 'node_modules'))).toMatchObject({ kind: 'failed' });
    expect(await readFile(path.join(repo, 'node_modules/left-pad/index.js'), 'utf8')).toBe('module.exports = 1;\n');

    const documents = await mkdtemp(path.join(tmpdir(), 'pi-harness-documents-'));
    await writeFile(path.join(documents, 'thesis.tex'), 'years of work');
    expect(await capture(config, documents)).toMatchObject({ kind: 'failed' });
    expect(await readFile(path.join(documents, 'thesis.tex'), 'utf8')).toBe('years of work');
  });

  it('refuses a symbolic link, and a plain file in the way', async () => {
    const { repo, config } = await setup(`${node} capture.mjs home`);
    await mkdir(path.join(repo, 'keep'));
    await writeFile(path.join(repo, 'keep/precious.txt'), 'x');
    await symlink(path.join(repo, 'keep'), path.join(repo, 'shots'));
    expect(await capture(config, path.join(repo, 'shots'))).toMatchObject({
      kind: 'failed',
      problem: expect.stringContaining('symbolic link'),
    });
    expect(await readFile(path.join(repo, 'keep/precious.txt'), 'utf8')).toBe('x');
  });

  it('makes and marks a new directory, adopts an empty one, and empties its own next time', async () => {
    const { repo, config } = await setup(`${node} capture.mjs home`);
    const fresh = path.join(repo, 'screens');
    expect(await capture(config, fresh)).toMatchObject({ kind: 'captured' });
    expect(await readdir(fresh)).toContain(CAPTURE_DIR_MARKER);
    await writeFile(path.join(fresh, 'stale.png'), 'old');
    expect(await capture(config, fresh)).toMatchObject({ kind: 'captured' });
    expect(await readdir(fresh)).not.toContain('stale.png');

    const empty = path.join(repo, 'empty-shots');
    await mkdir(empty);
    expect(await capture(config, empty)).toMatchObject({ kind: 'captured' });
  });
});

describe('the review schedule', () => {
  it('is due every N successes, and after every success while findings are pending', () => {
    let schedule = { version: 1 as const, successesSinceReview: 0, changedFiles: [] as string[] };
    schedule = noteSuccess(schedule, ['a.ts']);
    expect(reviewDue(schedule, 2, false)).toBe(false);
    expect(reviewDue(schedule, 2, true)).toBe(true);
    schedule = noteSuccess(schedule, ['b.ts', 'a.ts']);
    expect(reviewDue(schedule, 2, false)).toBe(true);
    expect(schedule.changedFiles).toEqual(['b.ts', 'a.ts']);
    schedule = afterReview(schedule, { runId: 'r', iteration: 2, verdict: 'PASS', at: 'now' });
    expect(schedule).toMatchObject({ successesSinceReview: 0, changedFiles: [] });
  });
});
