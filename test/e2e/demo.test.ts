/**
 * `pi-harness demo` end to end, in-process: the real loop, the real pi, real git and real tests,
 * on the demo's built-in scripted model. Whatever the demo claims, the repo it leaves must show.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_TASKS, TASK_FILE } from '../../src/demo/project.js';
import { parseTasks } from '../../src/tasks/index.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });

describe('pi-harness demo', () => {
  it('builds the demo project task by task: one commit per task with its tick, tests passing for real', {
    timeout: 120_000,
  }, async () => {
    const dir = await tempDir('pi-harness-demo-test-');
    const result = await cli(['demo', '--dir', dir], { cwd: dir, env: process.env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const subjects = git(dir, 'log', '--format=%s').trim().split('\n');
    expect(subjects).toEqual([
      ...DEMO_TASKS.map((task) => task.commitMessage).reverse(),
      expect.stringMatching(/^Start textkit/),
    ]);
    for (const [i, task] of DEMO_TASKS.entries()) {
      const commit = `HEAD~${DEMO_TASKS.length - 1 - i}`;
      const files = git(dir, 'show', '--name-only', '--format=', commit).trim().split('\n').sort();
      expect(files).toEqual([TASK_FILE, ...Object.keys(task.files)].sort());
      const todos = git(dir, 'show', `${commit}:${TASK_FILE}`);
      expect(todos).toContain(`- [x] ${task.text}`);
      for (const later of DEMO_TASKS.slice(i + 1)) expect(todos).toContain(`- [ ] ${later.text}`);
    }
    const { tasks } = parseTasks(await readFile(path.join(dir, TASK_FILE), 'utf8'));
    expect(tasks.map((task) => task.done)).toEqual(DEMO_TASKS.map(() => true));
    expect(git(dir, 'status', '--porcelain')).toBe('');

    // The agent's code and tests, run outside the harness: they pass, the repaired edge cases included.
    const tests = execFileSync(process.execPath, ['--test'], { cwd: dir, encoding: 'utf8' });
    expect(tests).toMatch(/^(?:ℹ|#) fail 0$/m);
    expect(await readFile(path.join(dir, 'src/word-count.mjs'), 'utf8')).toContain("trimmed === '' ? 0");

    // The output tells the story: the bumps, the repairs, the commits and where to look.
    expect(result.stdout).toContain('A scripted model plays the agent');
    expect(result.stdout).toContain('verification: failed (exit 1)');
    expect(result.stdout).toContain('tester verdict: FAIL');
    expect(result.stdout).toContain(`all tasks done; ${DEMO_TASKS.length}/${DEMO_TASKS.length} iterations succeeded`);
    for (const line of git(dir, 'log', '--oneline', '--no-decorate').trim().split('\n'))
      expect(result.stdout).toContain(line);
    expect(result.stdout).toContain("+ 'hello wo…'");
    expect(result.stdout).toMatch(/wordCount\(''\).*It prints `1 1`; expected `0 0`/);
    expect(result.stdout).toContain(`kept at ${dir}`);
    // The journal lives under the git directory, out of reach of the agents' `git clean` and `rm -rf`.
    expect(result.stdout).toMatch(/\.git\/pi-harness\/runs\/[^/]+\/journal\.jsonl/);
  });

  it('--clean removes the demo repo after a successful run; harness settings in the environment do not steer it', {
    timeout: 120_000,
  }, async () => {
    const parent = await tempDir('pi-harness-demo-test-');
    const dir = path.join(parent, 'new', 'demo');
    // Each of these would derail the demo if it leaked into its configuration.
    const env = {
      ...process.env,
      PI_TRANSPORT: 'mock',
      PI_TEST_CMD: 'false',
      PI_MODEL: 'elsewhere/model',
      PI_MAX_ITERS: '1',
      PI_CONFIG_FILE: '/nonexistent.json',
    };
    const result = await cli(['demo', '--dir', dir, '--clean'], { cwd: parent, env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${DEMO_TASKS.length}/${DEMO_TASKS.length} iterations succeeded`);
    expect(result.stdout).toContain('has been removed (--clean)');
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a --dir that is not empty, touching nothing in it', async () => {
    const dir = await tempDir('pi-harness-demo-test-');
    await writeFile(path.join(dir, 'mine.txt'), 'keep me\n');
    const result = await cli(['demo', '--dir', dir], { cwd: dir, env: process.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not empty/);
    expect(existsSync(path.join(dir, '.git'))).toBe(false);
    expect(await readFile(path.join(dir, 'mine.txt'), 'utf8')).toBe('keep me\n');
  });
});
