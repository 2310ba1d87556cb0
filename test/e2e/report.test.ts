/**
 * `report` over a real run: the real CLI, the real pi and the scripted model in a temporary repo,
 * three tasks of which one fails — then the terminal and JSON reports must tell that story.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { gitSync } from '../helpers/git-repo.js';
import { loopRepo, say, write, type LoopRepo } from './loop-helpers.js';

let current: LoopRepo | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

const TASKS = '# Tasks\n\n## Phase one\n\n- [ ] First task\n- [ ] Second task\n\n## Phase two\n\n- [ ] Third task\n';

describe('report after a real run', () => {
  it('describes the runs, iterations, commits, failures, rescue refs and tokens', { timeout: 180_000 }, async () => {
    const r = await loopRepo({
      tasks: TASKS,
      config: { maxTaskAttempts: 1, testCommand: 'test ! -f broken.txt' },
      plans: {
        developer: [
          [write('one.txt', 'one\n'), say('Wrote one.txt.')],
          [write('broken.txt', 'x\n'), say('Wrote broken.txt.')],
          [write('three.txt', 'three\n'), say('Wrote three.txt.')],
        ],
        developerFix: [[write('still-broken.txt', 'x\n'), say('Tried to fix it.')]],
        tester: [[say('Fine.\nVERDICT: PASS')], [say('Good.\nVERDICT: PASS')]],
      },
    });
    current = r;
    const env = { PI_CODING_AGENT_DIR: `${r.repo}/.no-user-pi` };
    expect((await cli(['report'], { cwd: r.repo, env })).stdout).toContain('No runs yet');

    const run = await r.run('run');
    expect(run.code).toBe(1);
    expect(r.log()).toEqual(['Third task', 'First task', 'initial']);

    const text = await cli(['report'], { cwd: r.repo, env });
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).not.toContain('\u001b['); // no colour off a terminal
    expect(text.stdout).toMatch(/Runs \(newest first, 1 of 1\)/);
    expect(text.stdout).toContain('Phase one / First task');
    expect(text.stdout).toContain('Phase one / Second task');
    expect(text.stdout).toContain('Phase two / Third task');
    expect(text.stdout).toMatch(/failed\s+verification_failed/);
    expect(text.stdout).toContain('Parked tasks (1');
    expect(text.stdout).toContain('refs/pi-harness/rescue/');
    expect(text.stdout).toMatch(/failure: \.pi-harness\/failures\/.*-iteration-2\.md/);
    expect(text.stdout).toMatch(/ROLE\s+TURNS\s+TOKENS/);

    const json = await cli(['report', '--json'], { cwd: r.repo, env });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.runs).toHaveLength(1);
    expect(doc.runs[0]).toMatchObject({ command: 'run', status: 'finished', exitCode: 1, iterations: 3, succeeded: 2 });
    const byTask = Object.fromEntries(doc.iterations.map((it: { task: { text: string } }) => [it.task.text, it]));
    const head = gitSync(r.repo, 'rev-parse', 'HEAD').trim();
    expect(byTask['Third task']).toMatchObject({
      status: 'succeeded',
      reason: 'committed',
      verdict: 'PASS',
      verification: 'passed',
      commit: { sha: head },
    });
    expect(byTask['Second task']).toMatchObject({
      status: 'failed',
      reason: 'verification_failed',
      verification: 'failed',
      verdict: 'not_run',
      commit: null,
    });
    expect(byTask['Second task'].rescue.ref).toMatch(/^refs\/pi-harness\/rescue\//);
    expect(byTask['Second task'].durations.byRole).toHaveProperty('developerFix');
    expect(byTask['Second task'].failureArtifacts.length).toBeGreaterThan(0);
    expect(byTask['First task'].failureArtifacts).toEqual([]);
    for (const it of doc.iterations) {
      expect(it.usage.input).toBeGreaterThan(0);
      expect(it.modelRequests).toBeGreaterThan(0);
    }
    expect(doc.totals.usage.input).toBe(
      doc.iterations.reduce((sum: number, it: { usage: { input: number } }) => sum + it.usage.input, 0),
    );
    expect(doc.parkedTasks).toEqual([
      expect.objectContaining({
        text: 'Second task',
        phase: 'Phase one',
        attempts: 1,
        lastStatus: 'failed',
        lastReason: 'verification_failed',
      }),
    ]);
    expect(doc.rescueRefs.total).toBe(1);
    expect(doc.rescueRefs.refs[0].patchFile).toMatch(/^\.pi-harness\/rescue\/.*\.patch$/);
    expect(doc.hotspots.byRole.map((h: { key: string }) => h.key).sort()).toEqual([
      'developer',
      'developerFix',
      'tester',
    ]);
    expect(doc.hotspots.byFile.map((h: { key: string }) => h.key)).toContain('one.txt');
  });
});
