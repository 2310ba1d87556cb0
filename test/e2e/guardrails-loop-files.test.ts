/**
 * The guardrails in the loop on the user's files and processes, with the real CLI, the real pi and
 * a scripted agent: an ignored `.env` an agent un-ignores is never committed (by the harness's
 * fallback commit or by the agent's own `git add -A && git commit`) and keeps its bytes; an ignored
 * file it deletes comes back; the repository's own commit hooks run in the harness's commits (a
 * refusal goes to developerFix); a `setsid` child of the test command dies with a SIGKILLed harness.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { processAlive, processesMatching } from '../helpers/processes.js';
import { nodeRuns, pathsInAnyCommit, readIf, reportOf } from './guardrails-helpers.js';
import { bash, loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);
const TASKS = '# Tasks\n\n- [ ] Add a.txt\n';
const SECRET = 'API_TOKEN=sk-live-do-not-commit-0123456789\n';

/** A repository whose user keeps an ignored `.env` with a secret (and another ignored file). */
function withSecret(repo: string): void {
  writeFileSync(path.join(repo, '.env'), SECRET);
  writeFileSync(path.join(repo, 'settings.local'), 'mine\n');
}

describe('guardrails in the loop: the user ignored files', () => {
  it('an agent that un-ignores .env never gets it into the fallback commit; its bytes stay', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      files: { '.gitignore': '.env\nsettings.local\n' },
      plans: {
        developer: [[write('.gitignore', 'node_modules/\n'), write('a.txt', 'a\n'), say('Wrote a.txt.')]],
        tester: [[say('Looks right.\nVERDICT: PASS')]],
      },
    });
    withSecret(r.repo);

    const result = await r.run('once');
    expect(result.code).toBe(0);
    // The .gitignore edit that exposed .env is kept aside, not committed: .env is ignored again.
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    const [kept] = gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').split('\n');
    expect(r.show(kept!, '.gitignore')).toBe('node_modules/\n');
    const committed = pathsInAnyCommit(r.repo);
    expect(committed.has('.env')).toBe(false);
    expect(committed.has('settings.local')).toBe(false);
    expect(readIf(r.repo, '.env')).toBe(SECRET);
    // Nothing staged is left behind either.
    expect(gitSync(r.repo, 'diff', '--cached', '--name-only')).toBe('');
    const [it] = (await reportOf(r.repo)).iterations;
    expect(it?.guardrails.changes.join('\n')).toMatch(
      /\.env: ignored at the start, no longer ignored; never committed/,
    );
  });

  it("the agent's own git add -A && git commit (blocked, then from a program) never keeps .env in a commit", {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      files: { '.gitignore': '.env\nsettings.local\n' },
      plans: {
        developer: [[write('.gitignore', 'node_modules/\n'), write('a.txt', 'a\n'), say('Wrote a.txt.')]],
        tester: [
          [
            bash('git add -A && git commit -qm "Add a.txt"'),
            nodeRuns('git add -A && git commit -qm "Add a.txt"'),
            say('Committed.\nVERDICT: PASS'),
          ],
        ],
      },
    });
    withSecret(r.repo);

    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    expect(gitSync(r.repo, 'log', '--all', '--format=%H', '--', '.env')).toBe('');
    expect(pathsInAnyCommit(r.repo).has('.env')).toBe(false);
    expect(readIf(r.repo, '.env')).toBe(SECRET);
    expect(readIf(r.repo, 'settings.local')).toBe('mine\n');
    expect(gitSync(r.repo, 'diff', '--cached', '--name-only')).toBe('');
    const [it] = (await reportOf(r.repo)).iterations;
    expect(it?.guardrails.byRule).toMatchObject({ 'git-commit-ignored': 1 });
    expect(it?.notes.join('\n')).toMatch(/rebuilt without them/);
  });

  it('rm .env runs and the bytes come back; git clean -fdX is blocked', { timeout: 90_000 }, async () => {
    const r = await setup({
      tasks: TASKS,
      files: { '.gitignore': '.env\nsettings.local\n' },
      plans: {
        developer: [
          [
            bash('rm .env'),
            bash('git clean -fdX'),
            nodeRuns('rm -f settings.local'),
            write('a.txt', 'a\n'),
            say('Wrote a.txt.'),
          ],
        ],
        tester: [[say('Looks right.\nVERDICT: PASS')]],
      },
    });
    withSecret(r.repo);

    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(readIf(r.repo, '.env')).toBe(SECRET);
    expect(readIf(r.repo, 'settings.local')).toBe('mine\n');
    expect(existsSync(path.join(r.repo, '.pi-harness'))).toBe(true);
    const [it] = (await reportOf(r.repo)).iterations;
    expect(it?.guardrails).toMatchObject({ blocked: 1, byRule: { 'git-clean': 1 }, restored: 2 });
    expect(pathsInAnyCommit(r.repo).has('.env')).toBe(false);
  });
});

/** The repository's own pre-commit hook: refuses a commit until `lint-ok` exists. */
function lintHook(
  repo: string,
  body = 'if [ ! -f lint-ok ]; then echo "LINT: lint-ok is missing" >&2; exit 1; fi',
): void {
  const hook = path.join(repo, '.git', 'hooks', 'pre-commit');
  writeFileSync(hook, `#!/bin/sh\n${body}\n`);
  chmodSync(hook, 0o755);
}

describe("guardrails in the loop: the repository's commit hooks", () => {
  it('a refusing pre-commit hook sends its output to developerFix once; the repaired change is committed', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Wrote a.txt.')]],
        developerFix: [[write('lint-ok', 'ok\n'), say('Added lint-ok.')]],
        tester: [[say('Looks right.\nVERDICT: PASS')]],
      },
    });
    lintHook(r.repo);

    const result = await r.run('once');
    expect(result.code).toBe(0);
    const fixPrompt = r.server
      .completionRequests()
      .map((q) => JSON.stringify(q.body))
      .find((body) => body.includes('commit hooks refused the commit'));
    expect(fixPrompt).toContain('LINT: lint-ok is missing');
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt', 'lint-ok']);
    expect(r.log()).toHaveLength(2);
  });

  it('a hook that still refuses after the repair fails the iteration with the reason; the work is kept', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Wrote a.txt.')]],
        developerFix: [[write('b.txt', 'b\n'), say('Tried.')]],
        tester: [[say('Looks right.\nVERDICT: PASS')]],
      },
    });
    lintHook(r.repo);

    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(r.log()).toEqual(['initial']);
    const [it] = (await reportOf(r.repo)).iterations;
    expect(it).toMatchObject({ status: 'failed', reason: 'commit_hook_failed' });
    expect(it?.notes.join('\n')).toMatch(/commit hooks \(pre-commit\) refused the commit/);
    expect(r.show(it!.rescue!.ref, 'a.txt')).toBe('a\n');
  });

  it('a hook that hangs is stopped at the verification timeout; commitHooks: false skips the hooks', {
    timeout: 90_000,
  }, async () => {
    const pidFile = path.join(mkdtempSync(path.join(tmpdir(), 'pi-harness-hook-')), 'hook.pid');
    const hanging = await setup({
      tasks: TASKS,
      config: { verificationTimeoutSeconds: 2 },
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Wrote a.txt.')]],
        developerFix: [[write('b.txt', 'b\n'), say('Tried.')]],
        tester: [[say('Looks right.\nVERDICT: PASS')]],
      },
    });
    lintHook(hanging.repo, `echo $$ > ${pidFile}; exec sleep 300`);
    const started = Date.now();
    const result = await hanging.run('once');
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000);
    const [it] = (await reportOf(hanging.repo)).iterations;
    expect(it?.notes.join('\n')).toMatch(/did not finish within 2s/);
    expect(processAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);

    const off = await setup({
      tasks: TASKS,
      config: { commitHooks: false },
      plans: { developer: [[write('a.txt', 'a\n'), say('Wrote a.txt.')]], tester: [[say('Fine.\nVERDICT: PASS')]] },
    });
    lintHook(off.repo);
    expect((await off.run('once')).code).toBe(0);
    expect(off.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
  });
});

describe('guardrails in the loop: processes', () => {
  it('a setsid child of the test command does not outlive kill -9 of the harness', { timeout: 90_000 }, async () => {
    const pidFile = path.join(mkdtempSync(path.join(tmpdir(), 'pi-harness-daemon-')), 'daemon.pid');
    const r = await setup({
      tasks: TASKS,
      config: { testCommand: `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 300' & sleep 300` },
      plans: { developer: [[write('a.txt', 'a\n'), say('Wrote a.txt.')]], tester: [[say('Fine.\nVERDICT: PASS')]] },
    });
    const cli = r.spawnCli('once');
    const deadline = Date.now() + 60_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') {
      if (Date.now() > deadline) throw new Error(`the test command never started:\n${cli.output()}`);
      await sleep(100);
    }
    const daemon = Number(readFileSync(pidFile, 'utf8'));
    expect(processAlive(daemon)).toBe(true);
    cli.proc.kill('SIGKILL');
    await cli.exited;
    const gone = Date.now() + 10_000;
    while (processAlive(daemon) && Date.now() < gone) await sleep(100);
    expect(processAlive(daemon)).toBe(false);
    // Nor does anything else of the run (pi, warm since the developer's turn, ends once it sees the
    // harness gone), which would otherwise still be writing its session as the repository goes.
    const settled = Date.now() + 10_000;
    while (processesMatching(r.repo).length > 0 && Date.now() < settled) await sleep(100);
    expect(processesMatching(r.repo)).toEqual([]);
  });
});
