/**
 * Minitest's closing line: `5 runs, 4 assertions, 1 failures, 1 errors, 2 skips`.
 */
import { makeCounts, sumCounts, type TestCounts } from './counts.js';
import { outputLines } from './lines.js';

const CLOSING = /^(\d+) (?:runs|tests), \d+ assertions, (\d+) failures, (\d+) errors, (\d+) skips$/;

export function parseMinitestSummary(output: string): TestCounts | undefined {
  const runs: TestCounts[] = [];
  for (const line of outputLines(output)) {
    const match = CLOSING.exec(line.trim());
    if (match === null) continue;
    const [total, failures, errors, skips] = match.slice(1).map(Number) as [number, number, number, number];
    runs.push(makeCounts({ passed: total - failures - errors - skips, failed: failures + errors, skipped: skips }));
  }
  return sumCounts(runs);
}
