/**
 * Python's unittest runner (and runners built on it, such as Django's): `Ran 5 tests in 0.001s`,
 * then `OK`, `OK (skipped=2, expected failures=1)` or `FAILED (failures=1, errors=1)`, or
 * `NO TESTS RAN` (Python 3.12 and later).
 */
import { makeCounts, sumCounts, type TestCounts } from './counts.js';
import { outputLines } from './lines.js';

const RAN = /^Ran (\d+) tests? in \d+(?:\.\d+)?s$/;
const OUTCOME = /^(OK|FAILED|NO TESTS RAN)(?: \((.*)\))?$/;

function readOutcome(ran: number, details: string | undefined): TestCounts | undefined {
  const items = new Map<string, number>();
  for (const item of details === undefined ? [] : details.split(',')) {
    const match = /^([a-z ]+)=(\d+)$/.exec(item.trim());
    if (match === null) return undefined;
    items.set(match[1]!, Number(match[2]));
  }
  const count = (name: string) => items.get(name) ?? 0;
  const failed = count('failures') + count('errors') + count('unexpected successes');
  const skipped = count('skipped') + count('expected failures');
  return makeCounts({ passed: ran - failed - skipped, failed, skipped });
}

export function parseUnittestSummary(output: string): TestCounts | undefined {
  const lines = outputLines(output).map((line) => line.trim());
  const runs: TestCounts[] = [];
  for (let i = 0; i < lines.length; i++) {
    const ran = RAN.exec(lines[i]!);
    if (ran === null) continue;
    // The outcome follows after one blank line.
    const next = lines.slice(i + 1, i + 3).find((line) => line !== '');
    const outcome = next === undefined ? null : OUTCOME.exec(next);
    const counts = outcome === null ? undefined : readOutcome(Number(ran[1]), outcome[2]);
    if (counts !== undefined) runs.push(counts);
  }
  return sumCounts(runs);
}
