/**
 * The words of the integrity checks that several layers share: the modes, the rules, and the
 * syntax of an `integrityAllow` entry (the configuration validates entries with it, the checks
 * apply them). The checks themselves live in src/integrity/.
 */

/** `enforce`: a finding goes to the developer to repair, then fails the iteration; `warn`: it is recorded. */
export const INTEGRITY_MODES = ['enforce', 'warn', 'off'] as const;
export type IntegrityMode = (typeof INTEGRITY_MODES)[number];

export const INTEGRITY_RULES = [
  'test-file-deleted',
  'test-file-emptied',
  'skip-marker-added',
  'fewer-tests-run',
  'more-tests-skipped',
  'no-tests-ran',
  'harness-config-edited',
  'instructions-edited',
  'task-file-edited',
  'test-config-edited',
  'ci-config-edited',
  'protected-path-edited',
] as const;

export type IntegrityRule = (typeof INTEGRITY_RULES)[number];

export function isIntegrityRule(value: string): value is IntegrityRule {
  return (INTEGRITY_RULES as readonly string[]).includes(value);
}

/** An `integrityAllow` entry read: `rule` alone, or `rule:glob`. */
export type AllowEntry = { readonly rule: IntegrityRule; readonly glob?: string };

/** The entry, or why it is not one. */
export function readAllowEntry(entry: string): AllowEntry | { readonly problem: string } {
  const colon = entry.indexOf(':');
  const rule = colon === -1 ? entry : entry.slice(0, colon);
  if (!isIntegrityRule(rule)) return { problem: `"${entry}": "${rule}" is not an integrity rule` };
  if (colon === -1) return { rule };
  const glob = entry.slice(colon + 1);
  if (glob === '') return { problem: `"${entry}": the glob after "${rule}:" is empty` };
  return { rule, glob };
}

/** Problems with the entries, one message each (empty when all are valid). */
export function allowEntryErrors(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    const read = readAllowEntry(entry);
    return 'problem' in read ? [read.problem] : [];
  });
}
