/**
 * The iteration state machine as one pure function: given where the iteration is and what the last
 * step produced, what happens next — and so whether the iteration succeeded: this is the one place
 * that says so (a refused commit, a visual veto and a stop from outside all end here). No
 * processes, no files: the runner performs the step and feeds its typed outcome back in. Every
 * branch is unit-tested in decide.test.ts; docs/iteration.md draws the machine.
 */
import type { CommandOutcome } from '../vocabulary/commands.js';
import type { EndReason, IterationStatus, RetryReason, VerifyAfter } from '../vocabulary/iterations.js';
import type { TerminalReason, TurnStatus } from '../vocabulary/turns.js';
import type { Verdict, VisualVerdict } from '../vocabulary/verdicts.js';

export type Step =
  | { kind: 'developer'; retry?: RetryReason }
  | { kind: 'verify'; after: VerifyAfter }
  | { kind: 'fix'; source: FixSource }
  | { kind: 'tester'; recheck: boolean }
  | { kind: 'commit' }
  /** The visual review after a commit, when one is due: a non-PASS takes the commit back. */
  | { kind: 'visual' }
  | { kind: 'end'; status: IterationStatus; reason: EndReason };

export type EndStep = Extract<Step, { kind: 'end' }>;

/** What developerFix repairs: a failed verification, the tester's findings, or commit hooks that refused. */
export type FixSource = 'verification' | 'tester' | 'commitHook';

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

function afterVerify(progress: IterationProgress, result: CommandOutcome, limits: DecisionLimits): Step {
  const passed = result === 'passed' || result === 'skipped';
  const after = progress.lastVerifyAfter ?? 'developer';
  if (passed) {
    // The tester already passed the change; the hooks it failed are what the commit re-runs.
    if (after === 'tester' || progress.fixingCommitHook) return { kind: 'commit' };
    if (after === 'fix' && progress.fixingTesterFindings) return { kind: 'tester', recheck: true };
    return { kind: 'tester', recheck: false };
  }
  if (result === 'aborted') return end('failed', 'verification_failed');
  if (progress.verificationFixes < limits.verificationFixLimit) return { kind: 'fix', source: 'verification' };
  return end('failed', 'verification_failed');
}

function afterTester(progress: IterationProgress, turn: TurnSummary, verdict: Verdict): Step {
  if (turn.terminalReason === 'provider_auth') return end('failed', 'provider_auth');
  if (turn.status !== 'success' && verdict === 'UNKNOWN') return end('failed', 'tester_turn_failed');
  switch (verdict) {
    case 'PASS':
      // The tester edited product files: the harness's own verification must pass on the final tree.
      return turn.changedFiles ? { kind: 'verify', after: 'tester' } : { kind: 'commit' };
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
 * Where an iteration stopped from outside (a signal, a budget) goes instead of `next`. A commit not
 * yet reviewed stands (a stop is no judgement of it), as does a visual review's verdict once given;
 * anything else ends `interrupted`, and its work is kept aside.
 */
export function whenInterrupted(next: Step): EndStep {
  if (next.kind === 'end')
    return next.status === 'succeeded' || VISUAL_ENDS.has(next.reason) ? next : end('failed', 'interrupted');
  if (next.kind === 'visual') return end('succeeded', 'committed');
  return end('failed', 'interrupted');
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
    case 'tester':
      return afterTester(progress, outcome.turn, outcome.verdict);
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
      if (step.source === 'commitHook') next.commitHookFixes += 1;
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
