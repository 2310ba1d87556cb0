/**
 * The user's exceptions: `integrityAllow` entries of the form `rule` (that rule never fires) or
 * `rule:glob` (it does not fire for paths the glob matches, e.g.
 * `ci-config-edited:.github/workflows/**`). The count rules' path is `(test run)`, so they are
 * allowed by rule name alone.
 */
import picomatch from 'picomatch';
import { type IntegrityFinding, type IntegrityRule, isIntegrityRule } from './types.js';

interface AllowEntry {
  readonly rule: IntegrityRule;
  readonly matches: (path: string) => boolean;
}

function parseEntry(entry: string): AllowEntry | string {
  const colon = entry.indexOf(':');
  const rule = colon === -1 ? entry : entry.slice(0, colon);
  if (!isIntegrityRule(rule)) return `"${entry}": "${rule}" is not an integrity rule`;
  if (colon === -1) return { rule, matches: () => true };
  const glob = entry.slice(colon + 1);
  if (glob === '') return `"${entry}": the glob after "${rule}:" is empty`;
  return { rule, matches: picomatch(glob, { dot: true }) };
}

/** Problems with the entries, one message each (empty when all are valid). */
export function allowEntryErrors(entries: readonly string[]): string[] {
  return entries.map(parseEntry).filter((parsed): parsed is string => typeof parsed === 'string');
}

export function isAllowed(finding: IntegrityFinding, entries: readonly string[]): boolean {
  return entries
    .map(parseEntry)
    .some((entry) => typeof entry !== 'string' && entry.rule === finding.rule && entry.matches(finding.path));
}
