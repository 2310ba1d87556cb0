/** What the iteration asks of the prompt layer: one request per agent turn, typed by step. */
import type { IntegrityFinding } from '../integrity/index.js';
import type { Task } from '../tasks/index.js';
import type { CommandResult } from '../verify/run-command.js';
import type { RetryReason } from '../vocabulary/iterations.js';

export type PromptRequest =
  | { kind: 'developer'; task: Task }
  | { kind: 'developerRetry'; task: Task; reason: RetryReason }
  | { kind: 'developerFix'; task: Task; source: 'verification'; verification: CommandResult }
  | { kind: 'developerFix'; task: Task; source: 'tester'; findings: string }
  | { kind: 'developerFix'; task: Task; source: 'integrity'; integrity: readonly IntegrityFinding[] }
  | { kind: 'developerFix'; task: Task; source: 'commitHook'; reason: string; output: string }
  | {
      kind: 'tester';
      task: Task;
      recheck: boolean;
      startCommit: string | undefined;
      previousFindings: string | undefined;
      /** The harness's verification passed on the tree about to be reviewed. */
      verificationPassed: boolean;
      /** The iteration's diff, when short enough to hand to the tester (tester-diff.ts). */
      diff?: string;
      /** Integrity findings still in the change (`warn`), and those developerFix was asked to undo. */
      integrity: { open: readonly IntegrityFinding[]; repaired: readonly IntegrityFinding[] };
    };

export interface PromptSource {
  /** `changedFiles`: what the iteration changed so far, relative to its start commit. */
  build(request: PromptRequest, changedFiles: readonly string[]): Promise<string>;
}
