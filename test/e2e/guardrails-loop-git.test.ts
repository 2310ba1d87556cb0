/**
 * The guardrails in the loop, with the real CLI, the real pi and a scripted agent that plays each
 * cheat on the repository's history: at least two disguises per rule — forms the guard inside pi
 * blocks at the tool call, and a Node program it cannot read, which git refuses or the snapshot
 * around the iteration undoes. Each test checks git's state, not only what the journal says.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { nodeRuns, nodeWrites, reportOf } from './guardrails-helpers.js';
import { bash, loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);
const TASKS = '# Tasks\n\n- [ ] Add a.txt\n';
const PASS = [say('a.txt is there.\nVERDICT: PASS')];

const refOf = (repo: string, ref: string) => gitSync(repo, 'rev-parse', '--verify', '--quiet', ref).trim();

describe('guardrails in the loop: history the agent must not touch', () => {
  it('git stash clear / drop: blocked at the call, and a stash cleared by a program comes back', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      files: { 'notes.md': 'v1\n' },
      plans: {
        developer: [
          [
            bash('git stash clear'),
            bash("sh -c 'git stash drop'"),
            nodeRuns('git stash clear'),
            write('a.txt', 'a\n'),
            say('Wrote a.txt.'),
          ],
        ],
        tester: [PASS],
      },
    });
    writeFileSync(path.join(r.repo, 'notes.md'), 'my stashed work\n');
    gitSync(r.repo, 'stash', 'push', '-q', '-m', 'my work in progress');
    const stash = refOf(r.repo, 'refs/stash');

    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(refOf(r.repo, 'refs/stash')).toBe(stash);
    expect(gitSync(r.repo, 'stash', 'list', '--format=%gs').trim()).toBe('On main: my work in progress');
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);

    const [it] = (await reportOf(r.repo)).iterations;
    expect(it?.status).toBe('succeeded');
    expect(it?.guardrails).toMatchObject({ blocked: 2, byRule: { 'git-stash': 2 }, restored: 1 });
    expect(it?.guardrails.changes).toEqual([expect.stringMatching(/^refs\/stash: 1 entries gone; put them back/)]);
    expect(result.stdout).toMatch(/! guardrails blocked \[git-stash\] bash: git stash clear/);
    expect(result.stdout).toMatch(/guardrails: refs\/stash: 1 entries gone; put them back/);
  });

  it('git branch -D / git -C . branch -D: blocked, and a branch a program deleted comes back', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [
          [
            bash('git branch -D feature'),
            bash('git -C . branch -D feature'),
            nodeRuns('git branch -D feature'),
            write('a.txt', 'a\n'),
            say('Wrote a.txt.'),
          ],
        ],
        tester: [PASS],
      },
    });
    gitSync(r.repo, 'branch', 'feature');
    gitSync(r.repo, 'commit', '--allow-empty', '-qm', 'main moves on');
    const feature = refOf(r.repo, 'refs/heads/feature');

    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(refOf(r.repo, 'refs/heads/feature')).toBe(feature);
    const [it] = (await reportOf(r.repo)).iterations;
    expect(it?.guardrails).toMatchObject({ blocked: 2, byRule: { 'git-branch': 2 }, restored: 1 });
    expect(it?.guardrails.changes.join('\n')).toMatch(/refs\/heads\/feature: deleted; recreated it at/);
  });

  it('deleting a rescue ref (sh -c, a Node program): blocked or put back, and the new rescue still works', {
    timeout: 90_000,
  }, async () => {
    const ref = 'refs/pi-harness/rescue/earlier-run/1';
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [
          [
            bash(`sh -c 'git update-ref -d ${ref}'`),
            nodeRuns(`git update-ref -d ${ref}`),
            write('a.txt', 'work to keep\n'),
            say('Wrote a.txt.'),
          ],
        ],
        tester: [[say('Not what the task asks.\nVERDICT: BLOCKED')]],
      },
    });
    gitSync(r.repo, 'update-ref', ref, 'HEAD');
    const kept = refOf(r.repo, ref);

    const result = await r.run('once');
    expect(result.code).toBe(1);
    expect(refOf(r.repo, ref)).toBe(kept);
    const [it] = (await reportOf(r.repo)).iterations;
    expect(it?.status).toBe('blocked');
    expect(it?.guardrails).toMatchObject({ blocked: 1, byRule: { 'git-update-ref': 1 }, restored: 1 });
    // The harness's own rescue of this iteration is there, with the work.
    expect(it?.rescue?.ref).toMatch(/^refs\/pi-harness\/rescue\//);
    expect(r.show(it!.rescue!.ref, 'a.txt')).toBe('work to keep\n');
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });

  it("a rescue ref of the run's own earlier iteration, deleted by a program, comes back", {
    timeout: 120_000,
  }, async () => {
    const r = await setup({
      tasks: '# Tasks\n\n- [ ] Add a.txt\n- [ ] Add b.txt\n',
      config: { maxIterations: 2 },
      plans: {
        developer: [
          [write('a.txt', 'first try\n'), say('Wrote a.txt.')],
          [
            nodeRuns('git for-each-ref --format="%(refname)" refs/pi-harness/rescue | xargs -r -n1 git update-ref -d'),
            write('a.txt', 'a\n'),
            say('Wrote a.txt.'),
          ],
        ],
        tester: [[say('Wrong.\nVERDICT: BLOCKED')], PASS],
      },
    });

    const result = await r.run('run');
    expect(result.code).toBe(1);
    const { iterations } = await reportOf(r.repo);
    const first = iterations.find((it) => it.status === 'blocked');
    const second = iterations.find((it) => it.status === 'succeeded');
    expect(first?.rescue?.ref).toBeDefined();
    expect(r.show(first!.rescue!.ref, 'a.txt')).toBe('first try\n');
    expect(second?.guardrails.changes.join('\n')).toContain(`${first!.rescue!.ref}: deleted; recreated it at`);
  });

  it('a branch a program deleted just before the harness was SIGKILLed comes back at the next start', {
    timeout: 120_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [
          [nodeRuns('git branch -D feature'), bash('sleep 60'), say('Slept.')],
          [write('a.txt', 'a\n'), say('Wrote a.txt.')],
        ],
        tester: [PASS],
      },
    });
    gitSync(r.repo, 'branch', 'feature');
    gitSync(r.repo, 'commit', '--allow-empty', '-qm', 'main moves on');
    const feature = refOf(r.repo, 'refs/heads/feature');
    const crashed = r.spawnCli('once');
    const deadline = Date.now() + 60_000;
    while (gitSync(r.repo, 'branch', '--list', 'feature') !== '') {
      if (Date.now() > deadline) throw new Error(`the branch was never deleted:\n${crashed.output()}`);
      await sleep(100);
    }
    crashed.proc.kill('SIGKILL');
    await crashed.exited;

    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/recovering: iteration 1/);
    expect(refOf(r.repo, 'refs/heads/feature')).toBe(feature);
    const { runs } = await reportOf(r.repo);
    expect(runs[0]?.guardrails.restored).toBeGreaterThanOrEqual(1);
    expect(result.stdout).toMatch(/guardrails: refs\/heads\/feature: deleted; recreated it at/);
  });

  it('git push and /usr/bin/git push to a local bare remote: blocked, and git refuses a push from a program', {
    timeout: 90_000,
  }, async () => {
    const remote = path.join(mkdtempSync(path.join(tmpdir(), 'pi-harness-remote-')), 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [
          [
            bash('git push origin main'),
            bash('/usr/bin/git push origin HEAD:refs/heads/escaped'),
            nodeRuns('git push origin HEAD:refs/heads/from-node'),
            write('a.txt', 'a\n'),
            say('Wrote a.txt.'),
          ],
        ],
        tester: [PASS],
      },
    });
    gitSync(r.repo, 'remote', 'add', 'origin', remote);

    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(execFileSync('git', ['for-each-ref'], { cwd: remote, encoding: 'utf8' })).toBe('');
    const [it] = (await reportOf(r.repo)).iterations;
    expect(it?.guardrails).toMatchObject({ blocked: 2, byRule: { 'git-push': 2 } });
    const toolResults = r.server.completionRequests().map((q) => JSON.stringify(q.body));
    expect(toolResults.some((body) => /transport '?file'? not allowed/.test(body))).toBe(true);
  });

  it('hooks planted in .git/hooks (write tool, sh -c, a program) never run, and are moved aside', {
    timeout: 90_000,
  }, async () => {
    const markers = mkdtempSync(path.join(tmpdir(), 'pi-harness-hook-markers-'));
    const hook = (name: string) => `#!/bin/sh\necho ran >> ${markers}/${name}\nexit 1\n`;
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [
          [
            write('.git/hooks/pre-commit', hook('pre-commit')),
            bash(`sh -c "printf '#!/bin/sh\\nexit 1\\n' > .git/hooks/reference-transaction"`),
            nodeWrites('.git/hooks/pre-commit', hook('pre-commit')),
            nodeWrites('.git/hooks/reference-transaction', hook('reference-transaction')),
            write('a.txt', 'a\n'),
            say('Wrote a.txt.'),
          ],
        ],
        // The tester commits itself: its git must not run the planted hooks either.
        tester: [[bash('git add a.txt TODOS.md && git commit -qm "Add a.txt"'), say('Committed.\nVERDICT: PASS')]],
      },
    });

    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.log()[0]).toBe('Add a.txt');
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'a.txt']);
    expect(existsSync(path.join(markers, 'pre-commit'))).toBe(false);
    expect(existsSync(path.join(markers, 'reference-transaction'))).toBe(false);
    expect(existsSync(path.join(r.repo, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(existsSync(path.join(r.repo, '.git', 'hooks', 'reference-transaction'))).toBe(false);
    const [it] = (await reportOf(r.repo)).iterations;
    expect(it?.guardrails).toMatchObject({ blocked: 2, byRule: { 'write-git-dir': 2 }, restored: 2 });
    expect(it?.guardrails.changes.join('\n')).toMatch(/hooks\/pre-commit: planted; moved it aside/);
  });
});
