/**
 * The iteration loop end to end: the real CLI (`once` / `run`), the real pi, a scripted model
 * playing developer and tester, temporary git repos.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { processesMatching } from '../helpers/processes.js';
import { journalEvents } from './control-helpers.js';
import { bash, loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);

const TASKS = '# Tasks\n\n## Phase one\n\n- [ ] First task\n- [ ] Second task\n\n## Phase two\n\n- [ ] Third task\n';

function status(repo: string): string {
  return gitSync(repo, 'status', '--porcelain');
}

describe('the loop with the real pi', () => {
  it('three tasks become three commits, each with its tick, committed by the tester', {
    timeout: 120_000,
  }, async () => {
    const names = ['First', 'Second', 'Third'];
    const r = await setup({
      tasks: TASKS,
      config: { testCommand: 'test -f task-1.txt' },
      plans: {
        developer: names.map((name, i) => [
          bash(
            `printf '${name}\\n' > task-${i + 1}.txt && sed -i 's/- \\[ \\] ${name} task/- [x] ${name} task/' TODOS.md`,
          ),
          say(`Created task-${i + 1}.txt and ticked the task.`),
        ]),
        tester: names.map((name, i) => [
          bash(`git add task-${i + 1}.txt TODOS.md && git commit -qm "${name} task"`),
          say(`Checked task-${i + 1}.txt.\n\nVERDICT: PASS`),
        ]),
      },
    });
    const result = await r.run('run');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(r.log()).toEqual(['Third task', 'Second task', 'First task', 'initial']);
    for (const [i, name] of names.entries()) {
      const commit = `HEAD~${2 - i}`;
      expect(r.filesIn(commit)).toEqual(['TODOS.md', `task-${i + 1}.txt`]);
      expect(r.show(commit, 'TODOS.md')).toContain(`- [x] ${name} task`);
      if (i < 2) expect(r.show(commit, 'TODOS.md')).toContain(`- [ ] ${names[i + 1]} task`);
    }
    expect(status(r.repo)).toBe('');
    expect(result.stdout).toContain('all tasks done; 3/3 iterations succeeded');
    // every pi process ended with the run, and none piled up between iterations
    expect(processesMatching(r.repo)).toEqual([]);
  });

  it('failing verification goes to developerFix with the end of the output, then passes; harness commits and ticks', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: {
        testCommand:
          'for i in $(seq 1 100); do echo "noise $i"; done; echo "ERROR: fixed.txt is missing" >&2; test -f fixed.txt',
      },
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Wrote a.txt.')]],
        developerFix: [[write('fixed.txt', 'ok\n'), say('Added fixed.txt.')]],
        tester: [[say('Looks right.\nVERDICT: PASS')]],
      },
    });
    const result = await r.run('once');
    expect(result.code).toBe(0);
    const fixPrompt = r.server
      .completionRequests()
      .map((q) => JSON.stringify(q.body))
      .find((body) => body.includes('## Fix: verification failed'));
    expect(fixPrompt).toContain('ERROR: fixed.txt is missing');
    expect(fixPrompt).toContain('noise 100');
    expect(fixPrompt).not.toContain('noise 1\\n');
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt', 'fixed.txt']);
    expect(r.show('HEAD', 'TODOS.md')).toContain('- [x] First task');
    expect(result.stdout).toMatch(/tick added by the harness/);
    expect(status(r.repo)).toBe('');
  });

  it('tester FAIL → developerFix with the findings → recheck PASS → commit', { timeout: 60_000 }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('a.txt', 'draft\n'), say('Wrote a.txt.')]],
        developerFix: [[write('a.txt', 'final\n'), say('Fixed a.txt.')]],
        tester: [[say('a.txt still says draft; it must say final.\n\nVERDICT: FAIL')]],
        testerRecheck: [[say('Now final.\nVERDICT: PASS')]],
      },
    });
    const result = await r.run('once');
    expect(result.code).toBe(0);
    const bodies = r.server.completionRequests().map((q) => JSON.stringify(q.body));
    expect(bodies.some((body) => body.includes('## Fix: review findings') && body.includes('it must say final'))).toBe(
      true,
    );
    expect(r.show('HEAD', 'a.txt')).toBe('final\n');
    expect(r.log()).toHaveLength(2);
  });

  it('tester FAIL twice ends the iteration failed with no commit, its work rescued and the tree clean', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('a.txt', 'draft\n'), say('Wrote a.txt.')]],
        developerFix: [[write('a.txt', 'still draft\n'), say('Tried.')]],
        tester: [[say('Wrong.\nVERDICT: FAIL')]],
        testerRecheck: [[say('Still wrong.\nVERDICT: FAIL')]],
      },
    });
    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED (tester_failed_twice)');
    expect(r.log()).toEqual(['initial']);
    expect(status(r.repo)).toBe('');
    const refs = gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim().split('\n');
    expect(refs).toHaveLength(1);
    expect(r.show(refs[0]!, 'a.txt')).toBe('still draft\n');
  });

  it.each([
    ['BLOCKED', 'I need database credentials.\nVERDICT: BLOCKED', 'BLOCKED (tester_blocked)'],
    ['no verdict', 'I looked at it and it seems fine.', 'FAILED (tester_no_verdict)'],
  ])('%s ends the iteration without a commit', { timeout: 60_000 }, async (_, testerText, expected) => {
    const r = await setup({
      tasks: TASKS,
      plans: { developer: [[write('a.txt', 'a\n'), say('Wrote a.txt.')]], tester: [[say(testerText)]] },
    });
    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(expected);
    expect(r.log()).toEqual(['initial']);
    expect(status(r.repo)).toBe('');
  });

  it('plan mode commits exactly the listed files plus the tick, and keeps the rest aside', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: { commitMode: 'plan' },
      plans: {
        developer: [[write('a.txt', 'a\n'), write('scratch.txt', 'tmp\n'), say('Done.')]],
        tester: [[say('Good.\nCOMMIT_MESSAGE: Add a.txt\nCOMMIT_FILES:\n- a.txt\n\nVERDICT: PASS')]],
      },
    });
    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.log()[0]).toBe('Add a.txt');
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
    expect(status(r.repo)).toBe('');
    const refs = gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim();
    expect(r.show(refs, 'scratch.txt')).toBe('tmp\n');
  });

  it('an empty testCommand skips verification and the tester decides', { timeout: 60_000 }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: { developer: [[write('a.txt', 'a\n'), say('Done.')]], tester: [[say('VERDICT: PASS')]] },
    });
    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/verification: skipped/);
    const summary = JSON.parse(await readFile(path.join(r.repo, '.pi-harness', 'last-iteration.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'succeeded', verification: 'skipped', verdict: 'PASS' });
  });

  it('CRLF and *-bullet task files are ticked without disturbing their bytes', { timeout: 60_000 }, async () => {
    const tasks = '# Tasks\r\n\r\n* [ ] Only task  \r\n  detail line\r\n* [ ] Later\r\n';
    const r = await setup({
      tasks,
      plans: { developer: [[write('a.txt', 'a\n'), say('Done.')]], tester: [[say('VERDICT: PASS')]] },
    });
    expect((await r.run('once')).code).toBe(0);
    expect(r.show('HEAD', 'TODOS.md')).toBe(tasks.replace('* [ ] Only', '* [x] Only'));
  });

  it('a developer that changes nothing gets one retry, then the iteration fails', { timeout: 60_000 }, async () => {
    const r = await setup({ tasks: TASKS, plans: { developer: [[say('I think it is done already.')]] } });
    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('developerRetry');
    expect(result.stdout).toContain('FAILED (developer_no_change)');
  });

  it('nothing to do exits 0, even when the model endpoint is down', { timeout: 30_000 }, async () => {
    const r = await setup({ tasks: '- [x] Done already\n', plans: {} });
    await r.close(); // the endpoint is gone: preflight would fail, but there is nothing to run
    const result = await r.run('run');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing to do: every task in the task file is done');
  });

  it('the mock transport runs offline and ends skipped (exit 0)', { timeout: 30_000 }, async () => {
    const r = await setup({ tasks: TASKS, plans: {} });
    const result = await r.run('once', { PI_TRANSPORT: 'mock', PI_TEST_CMD: '' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('SKIPPED (mock_no_change)');
    expect(r.server.completionRequests()).toHaveLength(0);
  });

  it('refuses a dirty tree unless allowDirty', { timeout: 30_000 }, async () => {
    const r = await setup({ tasks: TASKS, plans: {} });
    gitSync(r.repo, 'rm', '-q', '--cached', 'pi.config.json');
    const result = await r.run('once', { PI_TRANSPORT: 'mock' });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('pi.config.json');
  });

  it('warns about large touched files and escalates edit hints for a file reworked every iteration', {
    timeout: 120_000,
  }, async () => {
    const big = (n: number) => `// version ${n}\n${'x();\n'.repeat(600)}`;
    const r = await setup({
      tasks: '- [ ] One\n- [ ] Two\n- [ ] Three\n',
      config: { sameFileLoopBudget: 1, largeFileWarningLines: 500 },
      plans: {
        developer: [1, 2, 3].map((n) => [write('big.js', big(n)), say('Rewrote big.js.')]),
        tester: [[say('VERDICT: PASS')]],
      },
    });
    const result = await r.run('run');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('large file: big.js has 601 lines');
    const developerPrompts = r.server
      .completionRequests()
      .map((q) => JSON.stringify(q.body))
      .filter((body) => body.includes('## Current task') && !body.includes('## Verdict'));
    const third = developerPrompts.find((body) => body.includes('Task: Three'));
    const second = developerPrompts.find((body) => body.includes('Task: Two'));
    expect(second).toContain('big.js` has 601 lines');
    expect(third).toContain('big.js was changed in each of the last 2 iterations');
  });

  it("allowDirty: an agent running git add -A never commits the user's dirty file, and it keeps its bytes", {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: { allowDirty: true },
      files: { 'user.txt': 'committed\n' },
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Done.')]],
        tester: [[bash('git add -A && git commit -qm "Everything"'), say('VERDICT: PASS')]],
      },
    });
    await writeFile(path.join(r.repo, 'user.txt'), 'my own unfinished edit\n');
    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
    expect(result.stdout).toContain('rebuilt without them');
    expect(await readFile(path.join(r.repo, 'user.txt'), 'utf8')).toBe('my own unfinished edit\n');
    expect(status(r.repo)).toBe(' M user.txt\n');
    // The harness's own record of the user's files was there before the guardrails' snapshot: the
    // guardrails report no ref of it as made during the iteration.
    const restores = journalEvents(r.repo).filter((event) => event.type === 'guardrail_restore');
    expect(restores.filter((event) => String(event.target).startsWith('refs/pi-harness/predirty/'))).toEqual([]);
  });

  it("plan mode never commits the user's dirty file, however the plan spells its path", {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: { allowDirty: true, commitMode: 'plan' },
      files: { 'user.txt': 'committed\n', 'sub/keep.txt': 'k\n' },
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Done.')]],
        tester: [
          [
            say(
              'COMMIT_MESSAGE: Add a.txt\nCOMMIT_FILES:\n- a.txt\n- sub/../user.txt\n- ./sub/../user.txt\n' +
                '- sub//..//user.txt\n\nVERDICT: PASS',
            ),
          ],
        ],
      },
    });
    await writeFile(path.join(r.repo, 'user.txt'), 'my own unfinished edit\n');
    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
    expect(result.stdout).toContain('sub/../user.txt (not changed by this iteration');
    expect(await readFile(path.join(r.repo, 'user.txt'), 'utf8')).toBe('my own unfinished edit\n');
    expect(status(r.repo)).toContain(' M user.txt');
  });

  it("allowDirty: a failed iteration is rescued and restored without touching the user's dirty file", {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: { allowDirty: true },
      files: { 'user.txt': 'committed\n' },
      plans: {
        developer: [[write('a.txt', 'a\n'), write('user.txt', 'agent scribbled here\n'), say('Done.')]],
        tester: [[say('VERDICT: BLOCKED')]],
      },
    });
    await writeFile(path.join(r.repo, 'user.txt'), 'my own unfinished edit\n');
    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(await readFile(path.join(r.repo, 'user.txt'), 'utf8')).toBe('my own unfinished edit\n');
    expect(status(r.repo)).toBe(' M user.txt\n');
    const ref = gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim();
    expect(r.show(ref, 'a.txt')).toBe('a\n');
    expect(r.show(ref, 'user.txt')).toBe('agent scribbled here\n');
  });

  it('a tester that commits the change but not the tick gets the tick amended into its own commit', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Wrote a.txt, forgot the tick.')]],
        tester: [[bash('git add a.txt && git commit -qm "Add a.txt"'), say('VERDICT: PASS')]],
      },
    });
    // The harness runs in this process (its git calls see this process's environment), pi does not.
    const trace = path.join(r.repo, '.git', 'trace.log');
    vi.stubEnv('GIT_TRACE', trace);
    const result = await r.run('once', { GIT_TRACE: trace }).finally(() => vi.unstubAllEnvs());
    expect(result.code).toBe(0);
    // git's automatic maintenance ran after the tester's commit, not again after the harness's amend.
    expect(readFileSync(trace, 'utf8').match(/built-in: git maintenance run --auto/g)).toHaveLength(1);
    expect(r.log()).toEqual(['Add a.txt', 'initial']);
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
    expect(r.show('HEAD', 'TODOS.md')).toContain('- [x] First task');
    expect(result.stdout).toMatch(/by agent \(tick added by the harness\)/);
    expect(status(r.repo)).toBe('');
  });

  it('a tester that commits part of the change leaves the rest and the tick to a harness commit', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('a.txt', 'a\n'), write('b.txt', 'b\n'), say('Wrote a.txt and b.txt.')]],
        tester: [[bash('git add a.txt && git commit -qm "Add a.txt"'), say('VERDICT: PASS')]],
      },
    });
    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.log()).toEqual(['First task', 'Add a.txt', 'initial']);
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'b.txt']);
    expect(r.show('HEAD', 'TODOS.md')).toContain('- [x] First task');
    expect(result.stdout).toMatch(/the tester committed part of the change; the harness committed the rest/);
    expect(status(r.repo)).toBe('');
  });

  it('the fix prompt lists files an agent already committed during the iteration', { timeout: 60_000 }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('early.txt', 'draft\n'), say('Wrote early.txt.')]],
        tester: [
          [bash('git add early.txt && git commit -qm "premature"'), say('early.txt is incomplete.\nVERDICT: FAIL')],
        ],
        developerFix: [[write('early.txt', 'final\n'), say('Fixed.')]],
        testerRecheck: [[say('VERDICT: PASS')]],
      },
    });
    expect((await r.run('once')).code).toBe(0);
    const fixPrompt = r.server
      .completionRequests()
      .map((q) => JSON.stringify(q.body))
      .find((body) => body.includes('## Fix: review findings'));
    expect(fixPrompt).toMatch(/## Changed so far in this iteration[^#]*early\.txt/);
  });
});
