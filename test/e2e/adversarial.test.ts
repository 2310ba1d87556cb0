/**
 * Misbehaving agents against the real loop: whatever the developer or tester does to the task
 * file, the branch or the history, the user keeps their commits and their branch, the work is
 * kept in a rescue ref, and the summary says what happened.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { bash, loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);
const TASKS = '# Tasks\n\n- [ ] First task\n- [ ] Second task\n';
const status = (repo: string) => gitSync(repo, 'status', '--porcelain');
const branch = (repo: string) => gitSync(repo, 'symbolic-ref', '-q', 'HEAD').trim();
const rescueRefs = (repo: string) =>
  gitSync(repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim().split('\n').filter(Boolean);
const PASS = [[say('VERDICT: PASS')]];
// The guardrails block these history rewrites at the tool call (guardrails-loop-git.test.ts plays
// them); with the guardrails off, the loop's own checks after each turn must still catch them.
const GUARDRAILS_OFF = { guardrails: 'off' };
/**
 * The commit step's own protections of the task file, with the integrity checks off: in their
 * default mode they stop these edits a step earlier (test/e2e/integrity.test.ts plays that).
 */
const COMMIT_STEP_ONLY = { integrity: 'off' };

describe('misbehaving agents', () => {
  it('a developer that deletes TODOS.md fails the iteration instead of crashing the run; the file comes back', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: COMMIT_STEP_ONLY,
      plans: { developer: [[write('a.txt', 'a\n'), bash('rm TODOS.md'), say('Done.')]], tester: PASS },
    });
    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED (commit_failed)');
    expect(result.stdout).toContain('the task file was deleted');
    expect(await readFile(path.join(r.repo, 'TODOS.md'), 'utf8')).toBe(TASKS);
    expect(status(r.repo)).toBe('');
    expect(r.show(rescueRefs(r.repo)[0]!, 'a.txt')).toBe('a\n');
  });

  it('a developer that rewords its own task gets no commit (it could not be ticked and would run again)', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: COMMIT_STEP_ONLY,
      plans: {
        developer: [
          [write('a.txt', 'a\n'), bash("sed -i 's/First task/First task (reworded)/' TODOS.md"), say('Done.')],
        ],
        tester: PASS,
      },
    });
    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("the task's line was edited or removed");
    expect(r.log()).toEqual(['initial']);
    expect(status(r.repo)).toBe('');
  });

  it('a tick an agent put on another task is undone, with a note', { timeout: 60_000 }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: COMMIT_STEP_ONLY,
      plans: {
        developer: [[write('a.txt', 'a\n'), bash("sed -i 's/- \\[ \\] Second/- [x] Second/' TODOS.md"), say('Done.')]],
        tester: PASS,
      },
    });
    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.show('HEAD', 'TODOS.md')).toBe('# Tasks\n\n- [x] First task\n- [ ] Second task\n');
    expect(result.stdout).toContain('unticked again: Second task');
    expect(status(r.repo)).toBe('');
  });

  it('a tester that committed the other tick itself gets it undone inside its own commit', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: COMMIT_STEP_ONLY,
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Done.')]],
        tester: [
          [
            bash("sed -i 's/- \\[ \\]/- [x]/' TODOS.md && git add -A && git commit -qm 'All done'"),
            say('VERDICT: PASS'),
          ],
        ],
      },
    });
    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.log()).toEqual(['All done', 'initial']);
    expect(r.show('HEAD', 'TODOS.md')).toBe('# Tasks\n\n- [x] First task\n- [ ] Second task\n');
    expect(status(r.repo)).toBe('');
  });

  it("a tester that resets the branch past the user's commit does not get to drop it", {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Done.')]],
        tester: [[bash('git add -A && git commit -qm mine && git reset -q --hard HEAD~2'), say('VERDICT: PASS')]],
      },
      config: GUARDRAILS_OFF,
    });
    await writeUserCommit(r.repo);
    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('rewrote history');
    expect(r.log()).toEqual(['user second', 'initial']);
    expect(await readFile(path.join(r.repo, 'user.txt'), 'utf8')).toBe('mine\n');
    expect(status(r.repo)).toBe('');
  });

  it("a tester that amends the user's commit does not get to replace it; the work is rescued", {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Done.')]],
        tester: [[bash('git add -A && git commit -q --amend -m amended'), say('VERDICT: PASS')]],
      },
      config: GUARDRAILS_OFF,
    });
    await writeUserCommit(r.repo);
    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('rewrote history');
    expect(r.log()).toEqual(['user second', 'initial']);
    expect(status(r.repo)).toBe('');
    expect(r.show(rescueRefs(r.repo)[0]!, 'a.txt')).toBe('a\n');
  });

  it.each([
    ['switches to a new branch', 'git checkout -q -b side'],
    ['detaches HEAD', 'git checkout -q --detach'],
  ])(
    'a tester that %s and commits there leaves the user on their branch, nothing committed elsewhere counted',
    { timeout: 60_000 },
    async (_, move) => {
      const r = await setup({
        tasks: TASKS,
        plans: {
          developer: [[write('a.txt', 'a\n'), say('Done.')]],
          tester: [[bash(`${move} && git add -A && git commit -qm elsewhere`), say('VERDICT: PASS')]],
        },
        config: GUARDRAILS_OFF,
      });
      const result = await r.run('once');
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('the agents moved HEAD from branch main');
      expect(branch(r.repo)).toBe('refs/heads/main');
      expect(r.log()).toEqual(['initial']);
      expect(status(r.repo)).toBe('');
      expect(r.show(rescueRefs(r.repo)[0]!, 'a.txt')).toBe('a\n');
    },
  );

  it("allowDirty: a developer that runs git stash does not make the user's uncommitted edit vanish", {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: { allowDirty: true },
      files: { 'user.txt': 'committed\n' },
      plans: { developer: [[bash('git stash -q'), write('a.txt', 'a\n'), say('Done.')]], tester: PASS },
    });
    await writeFile(path.join(r.repo, 'user.txt'), 'my own unfinished edit\n');
    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
    expect(await readFile(path.join(r.repo, 'user.txt'), 'utf8')).toBe('my own unfinished edit\n');
    expect(result.stdout).toContain('put back: user.txt');
  });

  it("a repo without a git identity: the tick is still amended into the tester's commit", {
    timeout: 60_000,
  }, async () => {
    const asTester = 'git -c user.name=Tester -c user.email=tester@example.test';
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Done.')]],
        tester: [[bash(`${asTester} add a.txt && ${asTester} commit -qm "Add a.txt"`), say('VERDICT: PASS')]],
      },
    });
    gitSync(r.repo, 'config', '--unset', 'user.name');
    gitSync(r.repo, 'config', '--unset', 'user.email');
    const saved = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = '/dev/null'; // the harness's own git calls see no identity either
    try {
      // undefined: child processes get no such variable at all.
      const env = {
        GIT_AUTHOR_NAME: undefined,
        GIT_AUTHOR_EMAIL: undefined,
        GIT_COMMITTER_NAME: undefined,
        GIT_COMMITTER_EMAIL: undefined,
        GIT_CONFIG_GLOBAL: '/dev/null',
      };
      const result = await r.run('once', env);
      expect(result.code).toBe(0);
      expect(r.log()).toEqual(['Add a.txt', 'initial']);
      expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
    } finally {
      if (saved === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = saved;
    }
  });
});

async function writeUserCommit(repo: string): Promise<void> {
  await writeFile(path.join(repo, 'user.txt'), 'mine\n');
  gitSync(repo, 'add', 'user.txt');
  gitSync(repo, 'commit', '-q', '-m', 'user second');
}
