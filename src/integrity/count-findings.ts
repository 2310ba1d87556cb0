/**
 * The test run against the baseline's: fewer tests ran, more were skipped, or none ran where
 * some did. Counts are compared only when both are complete and counted in the same unit.
 */
import { notRun } from './summary/counts.js';
import type { RecognisedSummary } from './summary/dispatch.js';
import { type IntegrityFinding, TEST_RUN_PATH } from './types.js';

export interface CountComparison {
  /** The counts of the last passing verification of the start tree; undefined when unknown. */
  readonly baseline?: RecognisedSummary;
  /** The counts of the iteration's verification; undefined when its output has no summary. */
  readonly current?: RecognisedSummary;
  /** The iteration's verification ran (an empty test command runs nothing to compare). */
  readonly verified: boolean;
  /**
   * A test file was removed because the task's text asked for it: fewer tests are then expected,
   * so only the skipped count is compared.
   */
  readonly removalRequested: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function countFindings(comparison: CountComparison): IntegrityFinding[] {
  const { baseline, current } = comparison;
  if (baseline === undefined || !baseline.complete || !comparison.verified) return [];
  const unit = baseline.counts.unit === 'package' ? 'test package' : 'test';
  const atStart = `at the start ${baseline.runner} ran ${plural(baseline.counts.run, unit)}`;
  if (current === undefined) {
    if (comparison.removalRequested || baseline.counts.run === 0) return [];
    const detail = `the test output has no summary the harness recognises; ${atStart}`;
    return [{ rule: 'no-tests-ran', path: TEST_RUN_PATH, detail }];
  }
  if (!current.complete) return [];
  const findings: IntegrityFinding[] = [];
  const now = current.counts;
  const comparable = now.unit === baseline.counts.unit;
  const skipRise = comparable ? notRun(now) - notRun(baseline.counts) : 0;
  // Tests that went from run to skipped are reported once, as skipped.
  const unexplainedDrop = baseline.counts.run - now.run - Math.max(skipRise, 0);
  if (!comparison.removalRequested && now.run === 0 && baseline.counts.run > 0) {
    findings.push({ rule: 'no-tests-ran', path: TEST_RUN_PATH, detail: `no test ran; ${atStart}` });
  } else if (!comparison.removalRequested && comparable && unexplainedDrop > 0) {
    const detail = `${plural(now.run, unit)} ran; ${atStart}`;
    findings.push({ rule: 'fewer-tests-run', path: TEST_RUN_PATH, detail });
  }
  if (skipRise > 0) {
    const detail = `${notRun(now)} skipped or todo; at the start ${notRun(baseline.counts)}`;
    findings.push({ rule: 'more-tests-skipped', path: TEST_RUN_PATH, detail });
  }
  return findings;
}
