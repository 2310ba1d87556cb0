/**
 * What the iteration does about its findings, by mode: in `enforce` the developer gets one
 * chance to repair them, then the iteration fails with reason `integrity`; in `warn` the commit
 * lands flagged; `off` ignores them.
 */
import type { IntegrityFinding, IntegrityMode } from './types.js';

export type IntegrityAction =
  /** Nothing to do: no findings, or the mode is off. */
  | 'proceed'
  /** Commit, with the findings in trailers, the journal and the report. */
  | 'flag'
  /** Run developerFix with the findings named, then check again. */
  | 'repair'
  /** Fail the iteration with terminal reason `integrity` (work rescued). */
  | 'fail';

export interface IntegrityDecisionInput {
  readonly mode: IntegrityMode;
  readonly findings: readonly IntegrityFinding[];
  /** Whether a developerFix turn for integrity findings already ran in this iteration. */
  readonly repairTried: boolean;
}

export function decideIntegrity(input: IntegrityDecisionInput): IntegrityAction {
  if (input.mode === 'off' || input.findings.length === 0) return 'proceed';
  if (input.mode === 'warn') return 'flag';
  return input.repairTried ? 'fail' : 'repair';
}
