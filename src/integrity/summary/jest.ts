/**
 * Jest's closing summary: `Tests:       2 failed, 3 passed, 5 total` (the `Test Suites:` line
 * comes first); and its `No tests found, exiting with code N` when nothing matched.
 */
import { countsFromItems, makeCounts, sumCounts, type TestCounts } from './counts.js';
import { countItems, outputLines } from './lines.js';

const TESTS_LINE = /^Tests:\s+(.+), (\d+) total$/;
const NO_TESTS = /^No tests found, exiting with code \d+$/;

export function parseJestSummary(output: string): TestCounts | undefined {
  const lines = outputLines(output).map((line) => line.trim());
  const summaries: TestCounts[] = [];
  for (const line of lines) {
    const match = TESTS_LINE.exec(line);
    if (match === null) continue;
    const items = countItems(match[1]!.split(','));
    if (items === undefined) continue;
    summaries.push(countsFromItems(items));
  }
  if (summaries.length > 0) return sumCounts(summaries);
  return lines.some((line) => NO_TESTS.test(line)) ? makeCounts({ passed: 0, failed: 0 }) : undefined;
}
