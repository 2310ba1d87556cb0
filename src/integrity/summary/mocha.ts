/**
 * Mocha's closing summary (spec reporter and most others): `2 passing (11ms)`, then
 * `1 failing` and `3 pending` when there are any; and `Error: No test files found`.
 */
import { makeCounts, sumCounts, type TestCounts } from './counts.js';
import { outputLines } from './lines.js';

const PASSING = /^(\d+) passing \(\d+(?:\.\d+)?(?:ms|s|m)\)$/;
const OTHER = /^(\d+) (failing|pending)$/;
const NO_FILES = /^Error: No test files found/;

export function parseMochaSummary(output: string): TestCounts | undefined {
  const lines = outputLines(output).map((line) => line.trim());
  const blocks: { passing: number; failing: number; pending: number }[] = [];
  for (const line of lines) {
    const passing = PASSING.exec(line);
    if (passing !== null) {
      blocks.push({ passing: Number(passing[1]), failing: 0, pending: 0 });
      continue;
    }
    const other = OTHER.exec(line);
    const block = blocks.at(-1);
    if (other !== null && block !== undefined) block[other[2] === 'failing' ? 'failing' : 'pending'] = Number(other[1]);
  }
  if (blocks.length > 0) {
    return sumCounts(
      blocks.map((block) => makeCounts({ passed: block.passing, failed: block.failing, skipped: block.pending })),
    );
  }
  return lines.some((line) => NO_FILES.test(line)) ? makeCounts({ passed: 0, failed: 0 }) : undefined;
}
