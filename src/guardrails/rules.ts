/**
 * The guard's vocabulary: which rule a blocked tool call broke, the modes, and what a block says.
 * Rule ids are what the journal records and what the model reads, so they never change meaning.
 */

export { GUARDRAIL_MODES, type GuardrailMode } from '../vocabulary/guardrails.js';

export const GUARDRAIL_RULES = [
  'git-push',
  'git-reset',
  'git-rebase',
  'git-checkout',
  'git-switch',
  'git-branch',
  'git-tag',
  'git-stash',
  'git-clean',
  'git-update-ref',
  'git-reflog',
  'git-gc',
  'git-filter-branch',
  'git-config',
  'git-config-override',
  'git-amend',
  'git-commit-ignored',
  'git-worktree',
  'write-outside-repo',
  'write-git-dir',
  'write-runtime-dir',
  'opaque-command',
  'unparsable-command',
  'deny-list',
  'guard-error',
] as const;
export type GuardrailRule = (typeof GUARDRAIL_RULES)[number];

/** One rule a tool call would break. */
export interface Violation {
  rule: GuardrailRule;
  /** Why, in a sentence the model can act on. */
  reason: string;
  /** The command (as the guard read it) or the path concerned. */
  subject: string;
}

/** The error text the model receives for a blocked call: every broken rule, named. */
export function blockMessage(violations: readonly Violation[], contextNote?: string): string {
  const lines = violations.map((v) => `- [${v.rule}] ${v.reason} (${v.subject})`);
  return [
    'Blocked by the pi-harness guardrails: this tool call was not run.',
    ...lines,
    ...(contextNote ? [`Note: ${contextNote}`] : []),
    'Nothing failed because of this: continue the task another way.',
  ].join('\n');
}
