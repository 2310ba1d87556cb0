/**
 * The guardrails' words, shared by the configuration, the guard inside pi and the journal: the
 * modes, the rules a blocked tool call broke, and what putting a repository back can find. Rule ids
 * are what the journal records and what the model reads, so they never change meaning.
 */

export const GUARDRAIL_MODES = ['enforce', 'warn', 'off'] as const;
/** `enforce` blocks and restores; `warn` lets calls run and reports changes; `off` does neither. */
export type GuardrailMode = (typeof GUARDRAIL_MODES)[number];

/** Every rule the guard inside pi can block a tool call for. */
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

/** What restoring the snapshot after an iteration found, one kind per change. */
export const RESTORE_KINDS = [
  'ref_restored',
  'ref_created',
  'stash_restored',
  'stash_scrubbed',
  'git_file_restored',
  'hook_restored',
  'hook_removed',
  'ignored_restored',
  'ignored_changed',
  'ignored_visible',
  'restore_failed',
] as const;
export type RestoreKind = (typeof RESTORE_KINDS)[number];

/** When the harness compared the repository with the iteration's snapshot. */
export const RESTORE_MOMENTS = ['before_commit', 'iteration_end', 'crash_recovery'] as const;
export type RestoreMoment = (typeof RESTORE_MOMENTS)[number];
