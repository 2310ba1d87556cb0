/**
 * Vitest's closing summary: `Tests  1 failed | 2 passed | 1 skipped | 1 todo (5)` after a
 * `Test Files` line; and its `No test files found` exit when nothing matched.
 */
import { countsFromItems, makeCounts, sumCounts, type TestCounts } from './counts.js';
import { countItems, outputLines } from './lines.js';

const TESTS_LINE = /^Tests\s{2,}(.+?)\s*\((\d+)\)$/;
const FILES_LINE = /^Test Files\s{2,}.+\(\d+\)$/;
const NO_FILES = /^No test files found, exiting with code \d+$/;
const BANNER = /^RUN\s+v\d+\.\d+/;

export function parseVitestSummary(output: string): TestCounts | undefined {
  const lines = outputLines(output).map((line) => line.trim());
  const summaries: TestCounts[] = [];
  let sawFilesLine = false;
  for (const line of lines) {
    if (FILES_LINE.test(line)) sawFilesLine = true;
    const match = TESTS_LINE.exec(line);
    if (match === null || !sawFilesLine) continue;
    const items = countItems(match[1]!.split('|'));
    if (items === undefined) continue;
    summaries.push(countsFromItems(items));
    sawFilesLine = false;
  }
  if (summaries.length > 0) return sumCounts(summaries);
  const empty = lines.some((line) => NO_FILES.test(line)) && lines.some((line) => BANNER.test(line));
  return empty ? makeCounts({ passed: 0, failed: 0 }) : undefined;
}
