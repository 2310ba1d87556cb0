/**
 * The user's exceptions: `integrityAllow` entries of the form `rule` (that rule never fires) or
 * `rule:glob` (it does not fire for paths the glob matches, e.g.
 * `ci-config-edited:.github/workflows/**`). The count rules' path is `(test run)`, so they are
 * allowed by rule name alone. The entry syntax is shared with the configuration, which rejects a
 * bad entry before a run starts (vocabulary/integrity.ts).
 */
import picomatch from 'picomatch';
import { allowEntryErrors, readAllowEntry } from '../vocabulary/integrity.js';
import type { IntegrityFinding } from './types.js';

export { allowEntryErrors };

export function isAllowed(finding: IntegrityFinding, entries: readonly string[]): boolean {
  return entries.some((entry) => {
    const read = readAllowEntry(entry);
    if ('problem' in read || read.rule !== finding.rule) return false;
    return read.glob === undefined || picomatch(read.glob, { dot: true })(finding.path);
  });
}
