/**
 * The words of the integrity checks: modes, rules, findings, and the file changes they judge.
 */

import type { IntegrityRule } from '../vocabulary/integrity.js';

export {
  INTEGRITY_MODES,
  INTEGRITY_RULES,
  type IntegrityMode,
  type IntegrityRule,
  isIntegrityRule,
} from '../vocabulary/integrity.js';

/** Findings about the test run as a whole (counts) name this instead of a file. */
export const TEST_RUN_PATH = '(test run)';

export interface IntegrityFinding {
  readonly rule: IntegrityRule;
  /** Repository-relative path of the file, or TEST_RUN_PATH for the count rules. */
  readonly path: string;
  /** What was seen, in one sentence, for the developer and the report. */
  readonly detail: string;
}

/** A file's content at one point. `text` is absent for binary files and files over the size cap. */
export interface FileContent {
  readonly size: number;
  readonly text?: string;
}

/** One path the iteration changed, with its content at the iteration's start and now. */
export interface FileChange {
  readonly path: string;
  /** Absent when the file did not exist at the start. */
  readonly before?: FileContent;
  /** Absent when the file does not exist now. */
  readonly after?: FileContent;
}
