/**
 * cargo test's `test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out`,
 * one line per test binary (unit tests, each integration-test file, doc tests): they add up.
 */
import { makeCounts, sumCounts, type TestCounts } from './counts.js';
import { outputLines } from './lines.js';

const RESULT = /^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored; (\d+) measured;/;

export function parseCargoSummary(output: string): TestCounts | undefined {
  const binaries: TestCounts[] = [];
  for (const line of outputLines(output)) {
    const match = RESULT.exec(line.trim());
    if (match === null) continue;
    binaries.push(
      makeCounts({
        passed: Number(match[1]) + Number(match[4]),
        failed: Number(match[2]),
        skipped: Number(match[3]),
      }),
    );
  }
  return sumCounts(binaries);
}
