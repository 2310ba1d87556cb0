/**
 * go test. With `-v` every test (and subtest) ends in a `--- PASS|FAIL|SKIP: Name` line, which
 * are counted. Plain `go test ./...` prints one line per package and nothing per test that
 * passed, so its counts are packages: `ok` passed, `FAIL` failed, and packages marked
 * `[no test files]` or `[no tests to run]` ran nothing.
 */
import { makeCounts, type TestCounts } from './counts.js';
import { outputLines } from './lines.js';

const VERBOSE_RUN = /^=== RUN\s+\S/;
const TEST_RESULT = /^--- (PASS|FAIL|SKIP): \S/;
/** `ok  \tpkg\t0.01s`, `FAIL\tpkg\t0.01s`, `?   \tpkg\t[no test files]`: go separates the fields with tabs. */
const PACKAGE_LINE = /^(ok|FAIL|\?) *\t\S+(?:\t(.*))?$/;
const RAN_NOTHING = /\[(?:no test files|no tests to run)\]/;

export function parseGoTestSummary(output: string): TestCounts | undefined {
  const lines = outputLines(output);
  const packages = lines.map((line) => PACKAGE_LINE.exec(line)).filter((match) => match !== null);
  if (packages.length === 0) return undefined;
  const trimmed = lines.map((line) => line.trim());
  if (trimmed.some((line) => VERBOSE_RUN.test(line))) return countVerbose(trimmed);
  let passed = 0;
  let failed = 0;
  for (const [, status, rest] of packages) {
    if (status === 'FAIL') failed += 1;
    else if (status === 'ok' && !RAN_NOTHING.test(rest ?? '')) passed += 1;
  }
  return makeCounts({ passed, failed, unit: 'package', parts: packages.length });
}

function countVerbose(lines: readonly string[]): TestCounts {
  const tally = { PASS: 0, FAIL: 0, SKIP: 0 };
  for (const line of lines) {
    const status = TEST_RESULT.exec(line)?.[1] as keyof typeof tally | undefined;
    if (status !== undefined) tally[status] += 1;
  }
  const parts = tally.PASS + tally.FAIL + tally.SKIP;
  return makeCounts({ passed: tally.PASS, failed: tally.FAIL, skipped: tally.SKIP, parts: Math.max(parts, 1) });
}
