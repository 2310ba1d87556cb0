/**
 * pytest's closing line: `=== 2 failed, 3 passed, 1 warning in 0.10s ===` (without the rules
 * under `-q`), or `no tests ran in 0.02s`.
 */
import { makeCounts, sumCounts, type TestCounts } from './counts.js';
import { countItems, outputLines } from './lines.js';

const CLOSING = /^(?:=+ )?(.+?) in \d+(?:\.\d+)?s(?: \([\d:.]+\))?(?: =+)?$/;
const KNOWN_WORDS = new Set([
  'passed',
  'failed',
  'skipped',
  'xfailed',
  'xpassed',
  'error',
  'errors',
  'warning',
  'warnings',
  'deselected',
  'rerun',
]);

function readClosing(text: string): TestCounts | undefined {
  if (text === 'no tests ran') return makeCounts({ passed: 0, failed: 0 });
  const items = countItems(text.split(','));
  if (items === undefined || [...items.keys()].some((word) => !KNOWN_WORDS.has(word))) return undefined;
  const count = (word: string) => items.get(word) ?? 0;
  return makeCounts({
    passed: count('passed') + count('xpassed'),
    failed: count('failed') + count('error') + count('errors'),
    skipped: count('skipped') + count('xfailed'),
  });
}

export function parsePytestSummary(output: string): TestCounts | undefined {
  const summaries: TestCounts[] = [];
  for (const line of outputLines(output)) {
    const match = CLOSING.exec(line.trim());
    const counts = match === null ? undefined : readClosing(match[1]!);
    if (counts !== undefined) summaries.push(counts);
  }
  return sumCounts(summaries);
}
