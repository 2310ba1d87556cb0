/**
 * Maven Surefire's results: after `Results:`, `Tests run: 5, Failures: 1, Errors: 1, Skipped: 0`
 * (the per-class lines end in `, Time elapsed: …` and are not counted). A multi-module build
 * prints one such line per module: they add up. `No tests to run.` and `Tests are skipped.`
 * (maven.test.skip / skipTests) mean nothing ran.
 */
import { makeCounts, sumCounts, type TestCounts } from './counts.js';
import { outputLines } from './lines.js';

const LEVEL = /^\[(?:INFO|WARNING|WARN|ERROR)\]\s*/;
const TOTALS = /^Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)$/;
const NOTHING_RAN = /^(?:No tests to run\.|Tests are skipped\.)$/;

export function parseSurefireSummary(output: string): TestCounts | undefined {
  const modules: TestCounts[] = [];
  let nothingRan = false;
  for (const raw of outputLines(output)) {
    const line = raw.trim().replace(LEVEL, '');
    if (NOTHING_RAN.test(line)) nothingRan = true;
    const match = TOTALS.exec(line);
    if (match === null) continue;
    const [total, failures, errors, skipped] = match.slice(1).map(Number) as [number, number, number, number];
    modules.push(makeCounts({ passed: total - failures - errors - skipped, failed: failures + errors, skipped }));
  }
  if (modules.length > 0) return sumCounts(modules);
  return nothingRan ? makeCounts({ passed: 0, failed: 0 }) : undefined;
}
