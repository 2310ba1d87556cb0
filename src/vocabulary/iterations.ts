/** The words of one iteration: how it ended and why, as the state machine, state and journal say it. */

export type IterationStatus = 'succeeded' | 'failed' | 'stalled' | 'blocked' | 'skipped';

/** How an iteration ended, as state records it: the loop's statuses plus the two ways it can stop early. */
export const RECORDED_STATUSES = [
  'succeeded',
  'failed',
  'stalled',
  'blocked',
  'skipped',
  'interrupted',
  'crashed',
] as const;
export type RecordedStatus = (typeof RECORDED_STATUSES)[number];
// If the loop gains a status, this stops compiling until state knows about it.
type Assert<T extends true> = T;
export type LoopStatusesAreRecorded = Assert<IterationStatus extends RecordedStatus ? true : false>;

/** Statuses that count against a task (toward parking) and toward stopping the run. */
const FAILURE_STATUSES: ReadonlySet<string> = new Set<RecordedStatus>(['failed', 'stalled', 'blocked', 'crashed']);

export function isFailureStatus(status: string): boolean {
  return FAILURE_STATUSES.has(status);
}

/** Why the developer gets another turn; it becomes the steering sentence of developerRetry. */
export type RetryReason = 'timed_out' | 'stalled' | 'no_change';

/** Why an iteration ended; one value per cause so the report never parses prose. */
export type EndReason =
  | 'committed'
  | 'developer_stalled'
  | 'developer_failed'
  | 'developer_no_change'
  | 'verification_failed'
  | 'tester_failed_twice'
  | 'tester_blocked'
  | 'tester_no_verdict'
  | 'tester_turn_failed'
  | 'commit_failed'
  /** The repository's commit hooks refused the harness's commit, also after developerFix's repair. */
  | 'commit_hook_failed'
  | 'provider_auth'
  | 'mock_no_change'
  /** Stopped from outside: SIGINT/SIGTERM or a budget (the iteration's abort signal). */
  | 'interrupted'
  /** The operator skipped the task (`pi-harness skip`): the iteration was aborted, its work kept, the task parked. */
  | 'operator_skip'
  /** Vetoed by the visual review after the commit: the commit is taken back. */
  | 'visual_failed'
  | 'visual_blocked'
  /** An integrity finding (a test deleted or skipped, a protected file edited) outlived its one repair. */
  | 'integrity';

/** What state records for an iteration that ended with `status` for `reason`. */
export function recordedStatusOf(status: IterationStatus, reason: EndReason): RecordedStatus {
  return reason === 'interrupted' ? 'interrupted' : status;
}

/** The step a verification ran after, which decides where a pass leads. */
export type VerifyAfter = 'developer' | 'fix' | 'tester';

/** Who made an iteration's commit. */
export type CommitAuthor = 'agent' | 'harness';

/** A task as the journal names it: enough to find it again and to show it. */
export interface TaskRef {
  id: string;
  text: string;
  phase: string | null;
  line: number;
}
