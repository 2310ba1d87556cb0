/**
 * What a prompt builder may use. Builders are pure functions of this record: the loop gathers the
 * facts (task, handoffs, caps), the builders only phrase them, so every prompt is unit-testable.
 */
import type { Config } from '../config/load.js';
import type { RetryReason } from '../vocabulary/iterations.js';
import type { Task } from '../tasks/types.js';

/** The prompt caps (the max*Lines settings), picked from Config. `promptMode: 'full'` lifts every cap. */
export type PromptCaps = Pick<
  Config,
  | 'promptMode'
  | 'maxPromptChangedFiles'
  | 'maxVisualFeedbackLines'
  | 'maxTesterFeedbackLines'
  | 'maxPromptNotesLines'
  | 'maxVerificationExcerptLines'
  | 'maxPromptDiffLines'
>;

/** The schema defaults, for callers (tests, demo) without a loaded Config. */
export const DEFAULT_PROMPT_CAPS: PromptCaps = Object.freeze({
  promptMode: 'compact',
  maxPromptChangedFiles: 10,
  maxVisualFeedbackLines: 20,
  maxTesterFeedbackLines: 32,
  maxPromptNotesLines: 16,
  maxVerificationExcerptLines: 40,
  maxPromptDiffLines: 300,
});

export function capsFromConfig(config: PromptCaps): PromptCaps {
  return {
    promptMode: config.promptMode,
    maxPromptChangedFiles: config.maxPromptChangedFiles,
    maxVisualFeedbackLines: config.maxVisualFeedbackLines,
    maxTesterFeedbackLines: config.maxTesterFeedbackLines,
    maxPromptNotesLines: config.maxPromptNotesLines,
    maxVerificationExcerptLines: config.maxVerificationExcerptLines,
    maxPromptDiffLines: config.maxPromptDiffLines,
  };
}

/** The failing verification handed to developerFix. */
export interface VerificationTail {
  command: string;
  exitCode: number | null;
  outcome: 'failed' | 'timed_out';
  /** Raw output (ANSI codes and all); the builder cleans and caps it, keeping the end. */
  output: string;
}

export interface PromptContext {
  task: Task;
  /** Task file path relative to the repo root, as the agent should open it (e.g. `TODOS.md`). */
  taskFileRelative: string;
  /** The role's instruction text (see loadInstructions), included verbatim. */
  instructions: string;
  /** The repo's verification command; empty means none is configured. */
  testCommand: string;
  commitMode: Config['commitMode'];
  caps: PromptCaps;

  // Handoffs: each is rendered only when present, by the builders it concerns.
  /** Commit the iteration started from; the tester diffs against it. */
  startCommit?: string;
  verificationTail?: VerificationTail;
  /** The repository's commit hooks refused the harness's commit: why, and what they printed. */
  commitHookFailure?: { reason: string; output: string };
  /** The harness's own verification passed on the tree the tester reviews. */
  verificationPassed?: boolean;
  /**
   * The iteration's diff (start commit → the tree under review, new files included), when it is
   * short enough for the tester's prompt (maxPromptDiffLines); absent, the tester looks it up.
   */
  changeDiff?: string;
  /** Findings of the last tester turn (its final message; verdict lines are dropped). */
  testerFindings?: string;
  /** The harness's integrity findings, one line each naming file and rule (developerFix, tester). */
  integrityFindings?: string[];
  /** Integrity findings developerFix was asked to repair earlier in the iteration: the tester checks they are gone. */
  repairedIntegrityFindings?: string[];
  visualFeedback?: string;
  /** Repo-relative paths the iteration changed so far (the harness's view, pre-dirty files excluded). */
  changedFiles?: string[];
  largeFileWarnings?: { path: string; lines: number }[];
  /** Edit-strategy hints derived from loop history, one sentence each. */
  loopConstraints?: string[];
  retryReason?: RetryReason;
  notes?: string[];
  /** Guidance an operator sent (`pi-harness steer`) while no turn was running to take it. */
  operatorGuidance?: string[];
}
