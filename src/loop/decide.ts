/**
 * The iteration state machine as one pure function: given where the iteration is and what the last
 * step produced, what happens next — and so whether the iteration succeeded: this is the one place
 * that says so (a refused commit, a visual veto and a stop from outside all end here). No
 * processes, no files: the runner performs the step and feeds its typed outcome back in. Every
 * branch is unit-tested in decide.test.ts; docs/iteration.md draws the machine.
 */
import { decideIntegrity, type IntegrityFinding } from '../integrity/index.js';
import type { CommandOutcome } from '../vocabulary/commands.js';
import type { IntegrityMode } from '../vocabulary/integrity.js';
import type { EndReason, IterationStatus, RetryReason, VerifyAfter } from '../vocabulary/iterations.js';
import type { TerminalReason, TurnStatus } from '../vocabulary/turns.js';
import type { Verdict, VisualVerdict } from '../vocabulary/verdicts.js';

export type Step =
  | { kind: 'developer'; retry?: RetryReason }
  | { kind: 'verify'; after: VerifyAfter }
  | { kind: 'fix'; source: FixSource }
  /** The integrity checks over the iteration's changes, after a passing verification. */
  | { kind: 'integrity' }
  | { kind: 'tester'; recheck: boolean }
  | { kind: 'commit' }
  /** The visual review after a commit, when one is due: a non-PASS takes the commit back. */
  | { kind: 'visual' }
  | { kind: 'end'; status: IterationStatus; reason: EndReason };

export type EndStep = Extract<Step, { kind: 'end' }>;

/**
 * What a developerFix turn repairs: a failed verification, the tester's findings, integrity
 * findings, or commit hooks that refused.
 */
export type FixSource = 'verification' | 'tester' | 'integrity' | 'commitHook';

/** A turn as the decisions see it. */
export interface TurnSummary {
  status: TurnStatus;
  terminalReason: TerminalReason;
  /** The turn changed product files (anything but harness artifacts). */
  changedFiles: boolean;
}

export type Outcome =
  | { step: 'developer'; turn: TurnSummary }
  | { step: 'verify'; result: CommandOutcome }
  | { step: 'fix'; turn: TurnSummary }
  | { step: 'tester'; turn: TurnSummary; verdict: Verdict }
  | { step: 'integrity'; findings: readonly IntegrityFinding[] }
  /** `hookRefused`: the repository's commit hooks refused the commit (their output goes to developerFix). */
  | { step: 'commit'; committed: boolean; hookRefused?: boolean }
  /** `verdict` undefined: stopped before a verdict (a signal), so no judgement either way. */
  | { step: 'visual'; verdict: VisualVerdict | undefined; terminalReason?: TerminalReason };

export interface DecisionLimits {
  idleRetryLimit: number;
  noChangeRetryLimit: number;
  /** developerFix attempts after failed verification before the iteration fails. */
  verificationFixLimit: number;
  /** developerFix attempts after the commit hooks refused the commit before the iteration fails. */
  commitHookFixLimit: number;
  /** The mock transport changes nothing by design: end `skipped`, not in retries. */
  mockTransport: boolean;
  /** A visual review is due if this iteration commits (its schedule, read when the iteration began). */
  visualReviewDue: boolean;
  /** What integrity findings do: repaired once then fatal (`enforce`), flagged (`warn`), not looked for (`off`). */
  integrity: IntegrityMode;
}

/** What the iteration has been through so far; the decisions read it, the runner updates it. */
export interface IterationProgress {
  idleRetries: number;
  noChangeRetries: number;
  verificationFixes: number;
  testerFails: number;
  /** The iteration has product changes so far (from any turn). */
  hasChanges: boolean;
  /** What the last verification was run after, to know where to go on pass. */
  lastVerifyAfter?: VerifyAfter;
  /** The last fix was for tester findings (so a pass goes to the tester recheck). */
  fixingTesterFindings: boolean;
  commitHookFixes: number;
  /** A fix for refusing commit hooks is under way (so a pass goes back to the commit). */
  fixingCommitHook: boolean;
  /** The iteration's commit has been made. */
  committed: boolean;
  /** developerFix turns given integrity findings to repair. */
  integrityRepairs: number;
  /** The tester passed the change as it stands (no fix since): a clean check leads to the commit. */
  reviewPassed: boolean;
}

export function initialProgress(): IterationProgress {
  return {
    idleRetries: 0,
    noChangeRetries: 0,
    verificationFixes: 0,
    testerFails: 0,
    hasChanges: false,
    fixingTesterFindings: false,
    commitHookFixes: 0,
    fixingCommitHook: false,
    committed: false,
    integrityRepairs: 0,
    reviewPassed: false,
  };
}

export const FIRST_STEP: Step = { kind: 'developer' };

const end = (status: IterationStatus, reason: EndReason): EndStep => ({ kind: 'end', status, reason });

/** Applies an outcome to the progress record (pure: returns a new record). */
export function advance(progress: IterationProgress, outcome: Outcome): IterationProgress {
  const next = { ...progress };
  switch (outcome.step) {
    case 'developer':
    case 'fix':
      if (outcome.turn.changedFiles) next.hasChanges = true;
      break;
    case 'tester':
      if (outcome.turn.changedFiles) next.hasChanges = true;
      if (outcome.verdict === 'FAIL') next.testerFails += 1;
      next.reviewPassed = outcome.verdict === 'PASS' && outcome.turn.status === 'success';
      break;
    case 'commit':
      next.committed = outcome.committed;
      break;
    default:
      break;
  }
  return next;
}

function afterDeveloper(progress: IterationProgress, turn: TurnSummary, limits: DecisionLimits): Step {
  if (turn.terminalReason === 'provider_auth') return end('failed', 'provider_auth');
  if (turn.status === 'timed_out' || turn.status === 'stalled') {
    if (progress.idleRetries < limits.idleRetryLimit) return { kind: 'developer', retry: turn.status };
    // Work a stalled turn left behind still gets verified and reviewed: it may be complete.
    return progress.hasChanges || turn.changedFiles
      ? { kind: 'verify', after: 'developer' }
      : end('stalled', 'developer_stalled');
  }
  if (turn.status === 'failed') {
    return progress.hasChanges || turn.changedFiles
      ? { kind: 'verify', after: 'developer' }
      : end('failed', 'developer_failed');
  }
  if (!turn.changedFiles && !progress.hasChanges) {
    if (limits.mockTransport) return end('skipped', 'mock_no_change');
    if (progress.noChangeRetries < limits.noChangeRetryLimit) return { kind: 'developer', retry: 'no_change' };
    return end('failed', 'developer_no_change');
  }
  return { kind: 'verify', after: 'developer' };
}

/** Where a verification that passed (and its integrity check, if any) leads. */
function afterPassing(progress: IterationProgress): Step {
  const after = progress.lastVerifyAfter ?? 'developer';
  // The tester already passed the change (for a hook fix: the hooks it failed are what the commit re-runs).
  if (after === 'tester' || progress.reviewPassed || progress.fixingCommitHook) return { kind: 'commit' };
  if (after === 'fix' && progress.fixingTesterFindings) return { kind: 'tester', recheck: true };
  return { kind: 'tester', recheck: false };
}

function afterVerify(progress: IterationProgress, result: CommandOutcome, limits: DecisionLimits): Step {
  if (result === 'passed' || result === 'skipped')
    return limits.integrity === 'off' ? afterPassing(progress) : { kind: 'integrity' };
  if (result === 'aborted') return end('failed', 'verification_failed');
  if (progress.verificationFixes < limits.verificationFixLimit) return { kind: 'fix', source: 'verification' };
  return end('failed', 'verification_failed');
}

/**
 * The findings of an integrity check: `enforce` sends them to developerFix once (the check runs
 * again after its verification) and fails the iteration if they are still there; `warn` goes on
 * (the commit carries them); no findings go on.
 */
function afterIntegrity(progress: IterationProgress, findings: readonly IntegrityFinding[], limits: DecisionLimits) {
  const action = decideIntegrity({ mode: limits.integrity, findings, repairTried: progress.integrityRepairs > 0 });
  if (action === 'repair') return { kind: 'fix', source: 'integrity' } satisfies Step;
  if (action === 'fail') return end('failed', 'integrity');
  return afterPassing(progress);
}

function afterTester(progress: IterationProgress, turn: TurnSummary, verdict: Verdict, limits: DecisionLimits): Step {
  if (turn.terminalReason === 'provider_auth') return end('failed', 'provider_auth');
  // A verdict counts only from a turn that ended normally: a PASS written before the turn timed
  // out, stalled or failed is no judgement of the final tree.
  if (turn.status !== 'success') return end('failed', 'tester_turn_failed');
  switch (verdict) {
    case 'PASS':
      // The tester edited product files: the harness's own verification must pass on the final tree.
      if (turn.changedFiles) return { kind: 'verify', after: 'tester' };
      // Nothing to verify again, but the tester may have edited the task file (which is no product
      // change): the integrity checks see the tree that is about to be committed.
      return limits.integrity === 'off' ? { kind: 'commit' } : { kind: 'integrity' };
    case 'FAIL':
      // progress.testerFails already counts this FAIL.
      return progress.testerFails >= 2 ? end('failed', 'tester_failed_twice') : { kind: 'fix', source: 'tester' };
    case 'BLOCKED':
      return end('blocked', 'tester_blocked');
    case 'UNKNOWN':
      return end('failed', 'tester_no_verdict');
  }
}

function afterCommit(
  progress: IterationProgress,
  outcome: Extract<Outcome, { step: 'commit' }>,
  limits: DecisionLimits,
): Step {
  const { committed, hookRefused } = outcome;
  if (!committed && hookRefused)
    return progress.commitHookFixes < limits.commitHookFixLimit
      ? { kind: 'fix', source: 'commitHook' }
      : end('failed', 'commit_hook_failed');
  if (!committed) return end('failed', 'commit_failed');
  return limits.visualReviewDue ? { kind: 'visual' } : end('succeeded', 'committed');
}

/** A non-PASS visual review vetoes the commit: the iteration fails (FAIL) or is blocked (BLOCKED). */
function afterVisual(verdict: VisualVerdict | undefined, terminalReason: TerminalReason | undefined): Step {
  if (verdict === undefined || verdict === 'PASS') return end('succeeded', 'committed');
  const status = verdict === 'FAIL' ? 'failed' : 'blocked';
  // Credentials do not fix themselves: an auth failure stops the run, as it would in any turn.
  if (terminalReason === 'provider_auth') return end(status, 'provider_auth');
  return end(status, verdict === 'FAIL' ? 'visual_failed' : 'visual_blocked');
}

const VISUAL_ENDS: ReadonlySet<EndReason> = new Set(['visual_failed', 'visual_blocked']);

/**
 * Why an iteration was stopped from outside: `stop` (a signal, `pi-harness stop`, a spent budget) or
 * `skip` (the operator skipped its task with `pi-harness skip`).
 */
export type InterruptCause = 'stop' | 'skip';

/**
 * Where an iteration stopped from outside goes instead of `next`. A commit not yet reviewed stands
 * (a stop is no judgement of it), as does a visual review's verdict once given; anything else ends
 * `interrupted` — or, when the operator skipped the task, `skipped` (`operator_skip`: it counts as
 * no failure) — and its work is kept aside.
 */
export function whenInterrupted(next: Step, cause: InterruptCause = 'stop'): EndStep {
  const stopped = cause === 'skip' ? end('skipped', 'operator_skip') : end('failed', 'interrupted');
  if (next.kind === 'end') return next.status === 'succeeded' || VISUAL_ENDS.has(next.reason) ? next : stopped;
  if (next.kind === 'visual') return end('succeeded', 'committed');
  return stopped;
}

/**
 * The next step. Call with the progress already advanced by `outcome` (see `advance`), and after
 * the runner recorded bookkeeping for the step it is about to run (see `enter`).
 */
export function decide(progress: IterationProgress, outcome: Outcome, limits: DecisionLimits): Step {
  switch (outcome.step) {
    case 'developer':
      return afterDeveloper(progress, outcome.turn, limits);
    case 'fix':
      if (outcome.turn.terminalReason === 'provider_auth') return end('failed', 'provider_auth');
      return { kind: 'verify', after: 'fix' };
    case 'verify':
      return afterVerify(progress, outcome.result, limits);
    case 'integrity':
      return afterIntegrity(progress, outcome.findings, limits);
    case 'tester':
      return afterTester(progress, outcome.turn, outcome.verdict, limits);
    case 'commit':
      return afterCommit(progress, outcome, limits);
    case 'visual':
      return afterVisual(outcome.verdict, outcome.terminalReason);
  }
}

/** Bookkeeping when a step starts, so limits count attempts made, not attempts planned. */
export function enter(progress: IterationProgress, step: Step): IterationProgress {
  const next = { ...progress };
  switch (step.kind) {
    case 'developer':
      if (step.retry === 'no_change') next.noChangeRetries += 1;
      else if (step.retry) next.idleRetries += 1;
      break;
    case 'fix':
      if (step.source === 'verification') next.verificationFixes += 1;
      if (step.source === 'integrity') next.integrityRepairs += 1;
      if (step.source === 'commitHook') next.commitHookFixes += 1;
      next.reviewPassed = false;
      next.fixingTesterFindings = step.source === 'tester' || progress.fixingTesterFindings;
      next.fixingCommitHook = step.source === 'commitHook' || progress.fixingCommitHook;
      break;
    case 'verify':
      next.lastVerifyAfter = step.after;
      break;
    default:
      break;
  }
  return next;
}
