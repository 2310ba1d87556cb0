/** Budgets and breakers (docs/iteration.md, Stopping) with the real pi and the scripted model. */
import { describe, expect, it } from 'vitest';
import { journalsOf } from '../helpers/harness-home.js';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { bash, loopRepo, say, write } from './loop-helpers.js';
import type { ScriptStep } from '../../src/scripted-model/index.js';

const setup = closedAfterEach(loopRepo);

const TASKS = '- [ ] Expensive task\n- [ ] Cheap task\n';
/** A tool call that reports 1000 input tokens for its model request. */
const costly = (n: number): ScriptStep =>
  ({ ...bash(`echo step ${n} >> work.log`), usage: { input: 1000, output: 0 } }) as ScriptStep;
/** A step that reports a small request, so only the burner's tokens matter. */
const small = (step: ScriptStep): ScriptStep => ({ ...step, usage: { input: 100, output: 10 } }) as ScriptStep;
const burner = Array.from({ length: 20 }, (_, i) => costly(i));

describe('budgets', () => {
  it('maxRunTokens stops a runaway turn mid-flight, keeps its work and ends the run with the reason', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({ tasks: TASKS, config: { maxRunTokens: 2500 }, plans: { developer: [burner] } });
    const result = await r.run('run');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/run token budget reached: \d+ of maxRunTokens 2500/);
    // stopped after the third 1000-token request, long before the 20 planned
    expect(r.server.completionRequests().length).toBeLessThanOrEqual(4);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    const ref = gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim();
    expect(r.show(ref, 'work.log')).toMatch(/step 0/);
    expect(await journalsOf(r.repo)).toHaveLength(1);
  });

  it('maxTaskTokens parks the task and the run moves on to the next one', { timeout: 60_000 }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: { maxTaskTokens: 2500 },
      plans: {
        developer: [burner, [small(write('cheap.txt', 'ok\n')), small(say('Done.'))]],
        tester: [[small(say('VERDICT: PASS'))]],
      },
    });
    const result = await r.run('run');
    expect(result.stdout).toContain('task parked: task token budget reached');
    expect(r.log()[0]).toBe('Cheap task');
    expect(r.show('HEAD', 'TODOS.md')).toContain('- [ ] Expensive task');
    expect(result.stdout).toContain('no open task left that is not parked (1 parked)');
    expect(result.code).toBe(1);
  });

  it('maxRunSeconds aborts a silent model when the run time is up', { timeout: 60_000 }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: { maxRunSeconds: 3 },
      plans: { developer: [[write('a.txt', 'a\n'), { kind: 'stall', seconds: 30 }]] },
    });
    const started = Date.now();
    const result = await r.run('run');
    // The model stalls for 30 s; the turn must end soon after the 3 s budget (the run's wall time
    // also holds preflight and pi start-up, which a loaded CI machine can stretch).
    const turnSeconds = Number(/developer: failed \(aborted[^)]*\), .*, ([\d.]+)s$/m.exec(result.stdout)?.[1]);
    expect(turnSeconds, result.stdout).toBeLessThan(10);
    expect(Date.now() - started).toBeLessThan(28_000);
    expect(result.stdout).toMatch(/run time budget reached/);
    expect(result.code).toBe(1);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });
});

describe('breakers', () => {
  it('maxConsecutiveFailures stops the run; maxTaskAttempts parks a failing task', { timeout: 90_000 }, async () => {
    const r = await setup({
      tasks: '- [ ] One\n- [ ] Two\n- [ ] Three\n',
      config: { maxConsecutiveFailures: 2, maxTaskAttempts: 1 },
      plans: { developer: [[write('x.txt', 'x\n'), say('Done.')]], tester: [[say('VERDICT: BLOCKED')]] },
    });
    const result = await r.run('run');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('task parked after 1 failed attempts');
    expect(result.stdout).toContain('2 failed iterations in a row (maxConsecutiveFailures 2)');
    // One and Two were tried (each parked after one failure); Three never started
    expect(result.stdout).toMatch(/iteration 1 — One/);
    expect(result.stdout).toMatch(/iteration 2 — Two/);
    expect(result.stdout).not.toMatch(/iteration 3/);
    expect(r.log()).toEqual(['initial']);
  });
});
