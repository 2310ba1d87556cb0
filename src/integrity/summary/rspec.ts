/**
 * RSpec's closing line: `5 examples, 2 failures, 3 pending`, possibly followed by
 * `, 1 error occurred outside of examples` (a file that failed to load).
 */
import { makeCounts, sumCounts, type TestCounts } from './counts.js';
import { outputLines } from './lines.js';

const CLOSING =
  /^(\d+) examples?, (\d+) failures?(?:, (\d+) pending)?(?:, (\d+) errors? occurred outside of examples)?$/;

export function parseRspecSummary(output: string): TestCounts | undefined {
  const runs: TestCounts[] = [];
  for (const line of outputLines(output)) {
    const match = CLOSING.exec(line.trim());
    if (match === null) continue;
    const [examples, failures, pending, outside] = match.slice(1).map((n) => Number(n ?? 0)) as [
      number,
      number,
      number,
      number,
    ];
    runs.push(makeCounts({ passed: examples - failures - pending, failed: failures + outside, skipped: pending }));
  }
  return sumCounts(runs);
}
