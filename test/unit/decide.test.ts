import { describe, expect, it } from 'vitest';
import type { IntegrityFinding } from '../../src/integrity/index.js';
import {
  advance,
  decide,
  enter,
  FIRST_STEP,
  initialProgress,
  whenInterrupted,
  type DecisionLimits,
  type Outcome,
  type Step,
  type TurnSummary,
} from '../../src/loop/decide.js';

const LIMITS: DecisionLimits = {
  idleRetryLimit: 1,
  noChangeRetryLimit: 1,
  verificationFixLimit: 1,
  commitHookFixLimit: 1,
  mockTransport: false,
  visualReviewDue: false,
  integrity: 'off',
};

const ok = (changedFiles = true): TurnSummary => ({ status: 'success', terminalReason: 'completed', changedFiles });
const stalled = (changedFiles = false): TurnSummary => ({
  status: 'stalled',
  terminalReason: 'no_event_timeout',
  changedFiles,
});
const timedOut = (changedFiles = false): TurnSummary => ({
  status: 'timed_out',
  terminalReason: 'agent_timeout',
  changedFiles,
});
const failed = (changedFiles = false): TurnSummary => ({
  status: 'failed',
  terminalReason: 'agent_error',
  changedFiles,
});
const authFailed: TurnSummary = { status: 'failed', terminalReason: 'provider_auth', changedFiles: false };

/**
 * Drives the state machine with scripted outcomes, checking each outcome matches the step the
 * machine asked for, and returns every step taken (the last is `end` or where outcomes ran out).
 */
function walk(outcomes: Outcome[], limits: DecisionLimits = LIMITS): Step[] {
  let progress = enter(initialProgress(), FIRST_STEP);
  let step: Step = FIRST_STEP;
  const steps: Step[] = [step];
  for (const outcome of outcomes) {
    expect(step.kind === outcome.step || (step.kind === 'developer' && outcome.step === 'developer')).toBe(true);
    progress = advance(progress, outcome);
    step = decide(progress, outcome, limits);
    progress = enter(progress, step);
    steps.push(step);
    if (step.kind === 'end') break;
  }
  return steps;
}

const last = (steps: Step[]) => steps.at(-1);

describe('happy path', () => {
  it('developer → verify → tester PASS → commit → succeeded', () => {
    const steps = walk([
      { step: 'developer', turn: ok() },
      { step: 'verify', result: 'passed' },
      { step: 'tester', turn: ok(false), verdict: 'PASS' },
      { step: 'commit', committed: true },
    ]);
    expect(steps.map((s) => s.kind)).toEqual(['developer', 'verify', 'tester', 'commit', 'end']);
    expect(last(steps)).toEqual({ kind: 'end', status: 'succeeded', reason: 'committed' });
  });

  it('an empty testCommand (skipped verification) still goes to the tester, who decides', () => {
    const steps = walk([
      { step: 'developer', turn: ok() },
      { step: 'verify', result: 'skipped' },
      { step: 'tester', turn: ok(false), verdict: 'PASS' },
      { step: 'commit', committed: true },
    ]);
    expect(steps[2]).toEqual({ kind: 'tester', recheck: false });
    expect(last(steps)).toMatchObject({ status: 'succeeded' });
  });

  it('a failed commit fails the iteration', () => {
    const steps = walk([
      { step: 'developer', turn: ok() },
      { step: 'verify', result: 'passed' },
      { step: 'tester', turn: ok(false), verdict: 'PASS' },
      { step: 'commit', committed: false },
    ]);
    expect(last(steps)).toEqual({ kind: 'end', status: 'failed', reason: 'commit_failed' });
  });
});

describe('commit hooks that refuse the commit', () => {
  const toCommit: Outcome[] = [
    { step: 'developer', turn: ok() },
    { step: 'verify', result: 'passed' },
    { step: 'tester', turn: ok(false), verdict: 'PASS' },
  ];

  it('go to developerFix once, then verification, then straight back to the commit', () => {
    const steps = walk([
      ...toCommit,
      { step: 'commit', committed: false, hookRefused: true },
      { step: 'fix', turn: ok() },
      { step: 'verify', result: 'passed' },
      { step: 'commit', committed: true },
    ]);
    expect(steps.slice(4)).toEqual([
      { kind: 'fix', source: 'commitHook' },
      { kind: 'verify', after: 'fix' },
      { kind: 'commit' },
      { kind: 'end', status: 'succeeded', reason: 'committed' },
    ]);
  });

  it('refusing again after the repair fails the iteration with its own reason', () => {
    const steps = walk([
      ...toCommit,
      { step: 'commit', committed: false, hookRefused: true },
      { step: 'fix', turn: ok() },
      { step: 'verify', result: 'passed' },
      { step: 'commit', committed: false, hookRefused: true },
    ]);
    expect(last(steps)).toEqual({ kind: 'end', status: 'failed', reason: 'commit_hook_failed' });
  });

  it('a repair that breaks verification gets the verification fix, then the commit again', () => {
    const steps = walk([
      ...toCommit,
      { step: 'commit', committed: false, hookRefused: true },
      { step: 'fix', turn: ok() },
      { step: 'verify', result: 'failed' },
      { step: 'fix', turn: ok() },
      { step: 'verify', result: 'passed' },
    ]);
    expect(steps.slice(6)).toEqual([
      { kind: 'fix', source: 'verification' },
      { kind: 'verify', after: 'fix' },
      { kind: 'commit' },
    ]);
  });

  it('with integrity on, the repair is checked, then goes straight back to the commit', () => {
    const enforce: DecisionLimits = { ...LIMITS, integrity: 'enforce' };
    const steps = walk(
      [
        { step: 'developer', turn: ok() },
        { step: 'verify', result: 'passed' },
        { step: 'integrity', findings: [] },
        { step: 'tester', turn: ok(false), verdict: 'PASS' },
        { step: 'integrity', findings: [] },
        { step: 'commit', committed: false, hookRefused: true },
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'passed' },
        { step: 'integrity', findings: [] },
        { step: 'commit', committed: true },
      ],
      enforce,
    );
    expect(steps.slice(6)).toEqual([
      { kind: 'fix', source: 'commitHook' },
      { kind: 'verify', after: 'fix' },
      { kind: 'integrity' },
      { kind: 'commit' },
      { kind: 'end', status: 'succeeded', reason: 'committed' },
    ]);
  });

  it('a hook repair that cheats goes to the integrity fix, and fails the iteration if the cheat stays', () => {
    const enforce: DecisionLimits = { ...LIMITS, integrity: 'enforce' };
    const cheat = { rule: 'skip-marker-added', path: 'test/a.test.js', detail: 'test.skip added' } as const;
    const steps = walk(
      [
        { step: 'developer', turn: ok() },
        { step: 'verify', result: 'passed' },
        { step: 'integrity', findings: [] },
        { step: 'tester', turn: ok(false), verdict: 'PASS' },
        { step: 'integrity', findings: [] },
        { step: 'commit', committed: false, hookRefused: true },
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'passed' },
        { step: 'integrity', findings: [cheat] },
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'passed' },
        { step: 'integrity', findings: [cheat] },
      ],
      enforce,
    );
    expect(steps.slice(9)).toEqual([
      { kind: 'fix', source: 'integrity' },
      { kind: 'verify', after: 'fix' },
      { kind: 'integrity' },
      { kind: 'end', status: 'failed', reason: 'integrity' },
    ]);
  });

  it('with a limit of zero the first refusal fails the iteration', () => {
    const steps = walk([...toCommit, { step: 'commit', committed: false, hookRefused: true }], {
      ...LIMITS,
      commitHookFixLimit: 0,
    });
    expect(last(steps)).toEqual({ kind: 'end', status: 'failed', reason: 'commit_hook_failed' });
  });
});

describe('developer retries', () => {
  it.each([
    ['timed out', timedOut(), 'timed_out'],
    ['stalled', stalled(), 'stalled'],
  ] as const)('a %s turn gets developerRetry once, then the iteration stalls', (_, turn, reason) => {
    const steps = walk([
      { step: 'developer', turn },
      { step: 'developer', turn },
    ]);
    expect(steps[1]).toEqual({ kind: 'developer', retry: reason });
    expect(last(steps)).toEqual({ kind: 'end', status: 'stalled', reason: 'developer_stalled' });
  });

  it('a retry that then succeeds continues normally', () => {
    const steps = walk([
      { step: 'developer', turn: stalled() },
      { step: 'developer', turn: ok() },
    ]);
    expect(last(steps)).toEqual({ kind: 'verify', after: 'developer' });
  });

  it('a stalled turn that left changes is verified once retries are used up', () => {
    const steps = walk([
      { step: 'developer', turn: stalled(true) },
      { step: 'developer', turn: stalled(false) },
    ]);
    expect(last(steps)).toEqual({ kind: 'verify', after: 'developer' });
  });

  it('no change gets one developerRetry, then fails', () => {
    const steps = walk([
      { step: 'developer', turn: ok(false) },
      { step: 'developer', turn: ok(false) },
    ]);
    expect(steps[1]).toEqual({ kind: 'developer', retry: 'no_change' });
    expect(last(steps)).toEqual({ kind: 'end', status: 'failed', reason: 'developer_no_change' });
  });

  it('limits of zero end at once', () => {
    const limits = { ...LIMITS, idleRetryLimit: 0, noChangeRetryLimit: 0 };
    expect(last(walk([{ step: 'developer', turn: timedOut() }], limits))).toMatchObject({ status: 'stalled' });
    expect(last(walk([{ step: 'developer', turn: ok(false) }], limits))).toMatchObject({
      reason: 'developer_no_change',
    });
  });

  it('separate budgets: a stall retry does not use up the no-change retry', () => {
    const steps = walk([
      { step: 'developer', turn: stalled() },
      { step: 'developer', turn: ok(false) },
      { step: 'developer', turn: ok(true) },
    ]);
    expect(steps.slice(1, 3)).toEqual([
      { kind: 'developer', retry: 'stalled' },
      { kind: 'developer', retry: 'no_change' },
    ]);
    expect(last(steps)).toEqual({ kind: 'verify', after: 'developer' });
  });

  it('a failed developer turn without changes fails; with changes it is verified', () => {
    expect(last(walk([{ step: 'developer', turn: failed() }]))).toEqual({
      kind: 'end',
      status: 'failed',
      reason: 'developer_failed',
    });
    expect(last(walk([{ step: 'developer', turn: failed(true) }]))).toEqual({ kind: 'verify', after: 'developer' });
  });

  it('an authentication error ends the iteration at once, from any role', () => {
    expect(last(walk([{ step: 'developer', turn: authFailed }]))).toMatchObject({ reason: 'provider_auth' });
    const fromTester = walk([
      { step: 'developer', turn: ok() },
      { step: 'verify', result: 'passed' },
      { step: 'tester', turn: authFailed, verdict: 'UNKNOWN' },
    ]);
    expect(last(fromTester)).toMatchObject({ reason: 'provider_auth' });
    const fromFix = walk([
      { step: 'developer', turn: ok() },
      { step: 'verify', result: 'failed' },
      { step: 'fix', turn: authFailed },
    ]);
    expect(last(fromFix)).toMatchObject({ reason: 'provider_auth' });
  });

  it('the mock transport ends skipped instead of retrying', () => {
    const steps = walk([{ step: 'developer', turn: ok(false) }], { ...LIMITS, mockTransport: true });
    expect(last(steps)).toEqual({ kind: 'end', status: 'skipped', reason: 'mock_no_change' });
  });
});

describe('verification', () => {
  it('fails → developerFix → passes → tester', () => {
    const steps = walk([
      { step: 'developer', turn: ok() },
      { step: 'verify', result: 'failed' },
      { step: 'fix', turn: ok() },
      { step: 'verify', result: 'passed' },
    ]);
    expect(steps.slice(1)).toEqual([
      { kind: 'verify', after: 'developer' },
      { kind: 'fix', source: 'verification' },
      { kind: 'verify', after: 'fix' },
      { kind: 'tester', recheck: false },
    ]);
  });

  it.each(['failed', 'timed_out'] as const)('%s twice (fix limit 1) fails the iteration', (result) => {
    const steps = walk([
      { step: 'developer', turn: ok() },
      { step: 'verify', result },
      { step: 'fix', turn: ok() },
      { step: 'verify', result },
    ]);
    expect(last(steps)).toEqual({ kind: 'end', status: 'failed', reason: 'verification_failed' });
  });

  it('an aborted verification ends the iteration without a fix', () => {
    const steps = walk([
      { step: 'developer', turn: ok() },
      { step: 'verify', result: 'aborted' },
    ]);
    expect(last(steps)).toMatchObject({ status: 'failed', reason: 'verification_failed' });
  });

  it('a fix turn always goes back to verification, whatever it did', () => {
    const steps = walk([
      { step: 'developer', turn: ok() },
      { step: 'verify', result: 'failed' },
      { step: 'fix', turn: stalled(false) },
    ]);
    expect(last(steps)).toEqual({ kind: 'verify', after: 'fix' });
  });
});

describe('tester verdicts', () => {
  const toTester: Outcome[] = [
    { step: 'developer', turn: ok() },
    { step: 'verify', result: 'passed' },
  ];

  it('FAIL → developerFix with findings → verify → recheck PASS → commit', () => {
    const steps = walk([
      ...toTester,
      { step: 'tester', turn: ok(false), verdict: 'FAIL' },
      { step: 'fix', turn: ok() },
      { step: 'verify', result: 'passed' },
      { step: 'tester', turn: ok(false), verdict: 'PASS' },
      { step: 'commit', committed: true },
    ]);
    expect(steps.slice(3)).toEqual([
      { kind: 'fix', source: 'tester' },
      { kind: 'verify', after: 'fix' },
      { kind: 'tester', recheck: true },
      { kind: 'commit' },
      { kind: 'end', status: 'succeeded', reason: 'committed' },
    ]);
  });

  it('FAIL twice ends failed with no commit', () => {
    const steps = walk([
      ...toTester,
      { step: 'tester', turn: ok(false), verdict: 'FAIL' },
      { step: 'fix', turn: ok() },
      { step: 'verify', result: 'passed' },
      { step: 'tester', turn: ok(false), verdict: 'FAIL' },
    ]);
    expect(last(steps)).toEqual({ kind: 'end', status: 'failed', reason: 'tester_failed_twice' });
    expect(steps.some((s) => s.kind === 'commit')).toBe(false);
  });

  it('after a tester FAIL, a fix that breaks verification is fixed again, then rechecked', () => {
    const steps = walk(
      [
        ...toTester,
        { step: 'tester', turn: ok(false), verdict: 'FAIL' },
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'failed' },
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'passed' },
      ],
      LIMITS,
    );
    expect(last(steps)).toEqual({ kind: 'tester', recheck: true });
  });

  it('BLOCKED ends blocked without a commit', () => {
    expect(last(walk([...toTester, { step: 'tester', turn: ok(false), verdict: 'BLOCKED' }]))).toEqual({
      kind: 'end',
      status: 'blocked',
      reason: 'tester_blocked',
    });
  });

  it('no verdict (UNKNOWN) is never a pass', () => {
    expect(last(walk([...toTester, { step: 'tester', turn: ok(false), verdict: 'UNKNOWN' }]))).toEqual({
      kind: 'end',
      status: 'failed',
      reason: 'tester_no_verdict',
    });
  });

  it.each([
    ['stalled', stalled()],
    ['timed out', timedOut()],
    ['failed', failed()],
  ])('a verdict from a tester turn that %s does not count: the iteration fails', (_, turn) => {
    for (const verdict of ['PASS', 'FAIL', 'BLOCKED'] as const)
      expect(last(walk([...toTester, { step: 'tester', turn, verdict }]))).toEqual({
        kind: 'end',
        status: 'failed',
        reason: 'tester_turn_failed',
      });
  });

  it('a tester turn that stalled with no verdict fails the iteration', () => {
    expect(last(walk([...toTester, { step: 'tester', turn: stalled(), verdict: 'UNKNOWN' }]))).toMatchObject({
      reason: 'tester_turn_failed',
    });
  });

  it('a PASS from a tester that changed product files needs verification to pass again', () => {
    const passes = walk([
      ...toTester,
      { step: 'tester', turn: ok(true), verdict: 'PASS' },
      { step: 'verify', result: 'passed' },
    ]);
    expect(passes.slice(3)).toEqual([{ kind: 'verify', after: 'tester' }, { kind: 'commit' }]);

    const breaks = walk([
      ...toTester,
      { step: 'tester', turn: ok(true), verdict: 'PASS' },
      { step: 'verify', result: 'failed' },
      { step: 'fix', turn: ok() },
      { step: 'verify', result: 'failed' },
    ]);
    expect(breaks[4]).toEqual({ kind: 'fix', source: 'verification' });
    expect(last(breaks)).toMatchObject({ status: 'failed', reason: 'verification_failed' });
  });
});

describe('visual review step', () => {
  const due = { ...LIMITS, visualReviewDue: true };
  const toCommit: Outcome[] = [
    { step: 'developer', turn: ok() },
    { step: 'verify', result: 'passed' },
    { step: 'tester', turn: ok(false), verdict: 'PASS' },
  ];

  it('follows the commit only when a review is due', () => {
    expect(last(walk([...toCommit, { step: 'commit', committed: true }]))).toEqual({
      kind: 'end',
      status: 'succeeded',
      reason: 'committed',
    });
    expect(last(walk([...toCommit, { step: 'commit', committed: true }], due))).toEqual({ kind: 'visual' });
    expect(last(walk([...toCommit, { step: 'commit', committed: false }], due))).toMatchObject({
      status: 'failed',
      reason: 'commit_failed',
    });
  });

  it('PASS keeps the success; FAIL and BLOCKED veto it; no verdict (stopped) lets it stand', () => {
    const review = (verdict: 'PASS' | 'FAIL' | 'BLOCKED' | undefined) =>
      last(walk([...toCommit, { step: 'commit', committed: true }, { step: 'visual', verdict }], due));
    expect(review('PASS')).toMatchObject({ status: 'succeeded', reason: 'committed' });
    expect(review('FAIL')).toMatchObject({ status: 'failed', reason: 'visual_failed' });
    expect(review('BLOCKED')).toMatchObject({ status: 'blocked', reason: 'visual_blocked' });
    expect(review(undefined)).toMatchObject({ status: 'succeeded', reason: 'committed' });
  });

  it('a review the provider refused for credentials ends provider_auth, which stops the run', () => {
    const steps = walk(
      [
        ...toCommit,
        { step: 'commit', committed: true },
        { step: 'visual', verdict: 'BLOCKED', terminalReason: 'provider_auth' },
      ],
      due,
    );
    expect(last(steps)).toMatchObject({ status: 'blocked', reason: 'provider_auth' });
  });
});

describe('stopped from outside', () => {
  it('ends interrupted, except a commit awaiting its review or a verdict the review gave', () => {
    expect(whenInterrupted({ kind: 'tester', recheck: false })).toEqual({
      kind: 'end',
      status: 'failed',
      reason: 'interrupted',
    });
    expect(whenInterrupted({ kind: 'end', status: 'failed', reason: 'developer_failed' })).toMatchObject({
      reason: 'interrupted',
    });
    expect(whenInterrupted({ kind: 'visual' })).toMatchObject({ status: 'succeeded', reason: 'committed' });
    expect(whenInterrupted({ kind: 'end', status: 'succeeded', reason: 'committed' })).toMatchObject({
      status: 'succeeded',
    });
    expect(whenInterrupted({ kind: 'end', status: 'failed', reason: 'visual_failed' })).toMatchObject({
      reason: 'visual_failed',
    });
  });
});

describe('integrity step', () => {
  const enforce: DecisionLimits = { ...LIMITS, integrity: 'enforce' };
  const warn: DecisionLimits = { ...LIMITS, integrity: 'warn' };
  const finding: IntegrityFinding = { rule: 'test-file-deleted', path: 'test/a.test.js', detail: 'deleted' };
  const found = (findings: IntegrityFinding[] = [finding]): Outcome => ({ step: 'integrity', findings });
  const clean = found([]);
  const toCheck: Outcome[] = [
    { step: 'developer', turn: ok() },
    { step: 'verify', result: 'passed' },
  ];

  it('runs after every passing verification unless it is off', () => {
    expect(walk(toCheck, enforce).at(-1)).toEqual({ kind: 'integrity' });
    expect(walk(toCheck, warn).at(-1)).toEqual({ kind: 'integrity' });
    expect(walk(toCheck, LIMITS).at(-1)).toEqual({ kind: 'tester', recheck: false });
    // A skipped verification (no testCommand) still has files to check.
    expect(walk([toCheck[0]!, { step: 'verify', result: 'skipped' }], enforce).at(-1)).toEqual({ kind: 'integrity' });
  });

  it('clean → tester → the final tree checked again → commit', () => {
    const steps = walk(
      [
        ...toCheck,
        clean,
        { step: 'tester', turn: ok(false), verdict: 'PASS' },
        clean,
        { step: 'commit', committed: true },
      ],
      enforce,
    );
    expect(steps.map((s) => s.kind)).toEqual([
      'developer',
      'verify',
      'integrity',
      'tester',
      'integrity',
      'commit',
      'end',
    ]);
    expect(last(steps)).toMatchObject({ status: 'succeeded' });
  });

  it('enforce: a finding goes to developerFix once; still there after its verification, the iteration fails', () => {
    const steps = walk(
      [...toCheck, found(), { step: 'fix', turn: ok() }, { step: 'verify', result: 'passed' }, found()],
      enforce,
    );
    expect(steps.map((s) => s.kind)).toEqual(['developer', 'verify', 'integrity', 'fix', 'verify', 'integrity', 'end']);
    expect(steps[3]).toEqual({ kind: 'fix', source: 'integrity' });
    expect(last(steps)).toEqual({ kind: 'end', status: 'failed', reason: 'integrity' });
  });

  it('enforce: a repaired finding goes on to the tester', () => {
    const steps = walk(
      [...toCheck, found(), { step: 'fix', turn: ok() }, { step: 'verify', result: 'passed' }, clean],
      enforce,
    );
    expect(last(steps)).toEqual({ kind: 'tester', recheck: false });
  });

  it('enforce: a repair that breaks verification gets its verification fix, then the check again', () => {
    const steps = walk(
      [
        ...toCheck,
        found(),
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'failed' },
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'passed' },
        found(),
      ],
      enforce,
    );
    expect(steps[5]).toEqual({ kind: 'fix', source: 'verification' });
    expect(last(steps)).toEqual({ kind: 'end', status: 'failed', reason: 'integrity' });
  });

  it('enforce: a finding the tester brought in after its PASS gets the one repair, then a new review', () => {
    const steps = walk(
      [
        ...toCheck,
        clean,
        { step: 'tester', turn: ok(true), verdict: 'PASS' },
        { step: 'verify', result: 'passed' },
        found(),
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'passed' },
        clean,
      ],
      enforce,
    );
    expect(last(steps)).toEqual({ kind: 'tester', recheck: false });
  });

  it('after a tester FAIL and its fix, a clean check goes to the recheck', () => {
    const steps = walk(
      [
        ...toCheck,
        clean,
        { step: 'tester', turn: ok(false), verdict: 'FAIL' },
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'passed' },
        clean,
      ],
      enforce,
    );
    expect(last(steps)).toEqual({ kind: 'tester', recheck: true });
  });

  it('warn: findings never stop the iteration; the tester reviews and the commit lands', () => {
    const steps = walk(
      [
        ...toCheck,
        found(),
        { step: 'tester', turn: ok(false), verdict: 'PASS' },
        found(),
        { step: 'commit', committed: true },
      ],
      warn,
    );
    expect(steps.map((s) => s.kind)).toEqual([
      'developer',
      'verify',
      'integrity',
      'tester',
      'integrity',
      'commit',
      'end',
    ]);
    expect(last(steps)).toMatchObject({ status: 'succeeded', reason: 'committed' });
  });

  it('enforce: a finding the tester brought in without product changes gets the repair and a new review', () => {
    const steps = walk(
      [
        ...toCheck,
        clean,
        { step: 'tester', turn: ok(false), verdict: 'PASS' },
        found(),
        { step: 'fix', turn: ok() },
        { step: 'verify', result: 'passed' },
        clean,
      ],
      enforce,
    );
    expect(steps[5]).toEqual({ kind: 'fix', source: 'integrity' });
    expect(last(steps)).toEqual({ kind: 'tester', recheck: false });
  });

  it('off: a PASS goes straight to the commit', () => {
    const steps = walk([...toCheck, { step: 'tester', turn: ok(false), verdict: 'PASS' }]);
    expect(last(steps)).toEqual({ kind: 'commit' });
  });

  it('stopped during the check: interrupted', () => {
    expect(whenInterrupted({ kind: 'integrity' })).toMatchObject({ status: 'failed', reason: 'interrupted' });
  });
});
