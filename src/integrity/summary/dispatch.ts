/**
 * Recognises which test runner printed an output and reads its counts. The parsers are tried
 * from the most distinctive summary to the least, so that a line one runner prints cannot be
 * read as another's (TAP's `ok 1 - name` is not a go package line, for example).
 */
import { parseCargoSummary } from './cargo.js';
import type { TestCounts } from './counts.js';
import { parseGoTestSummary } from './go-test.js';
import { parseJestSummary } from './jest.js';
import { parseMinitestSummary } from './minitest.js';
import { parseMochaSummary } from './mocha.js';
import { parseNodeTestSummary } from './node-test.js';
import { parsePytestSummary } from './pytest.js';
import { parseRspecSummary } from './rspec.js';
import { parseSurefireSummary } from './surefire.js';
import { parseUnittestSummary } from './unittest.js';
import { parseVitestSummary } from './vitest.js';

export type RunnerName =
  | 'cargo'
  | 'surefire'
  | 'rspec'
  | 'minitest'
  | 'pytest'
  | 'unittest'
  | 'vitest'
  | 'jest'
  | 'node-test'
  | 'mocha'
  | 'go';

export type SummaryParser = (output: string) => TestCounts | undefined;

/** The order in which recognition is tried. */
export const SUMMARY_PARSERS: readonly { readonly runner: RunnerName; readonly parse: SummaryParser }[] = [
  { runner: 'cargo', parse: parseCargoSummary },
  { runner: 'surefire', parse: parseSurefireSummary },
  { runner: 'rspec', parse: parseRspecSummary },
  { runner: 'minitest', parse: parseMinitestSummary },
  { runner: 'vitest', parse: parseVitestSummary },
  { runner: 'jest', parse: parseJestSummary },
  { runner: 'pytest', parse: parsePytestSummary },
  { runner: 'unittest', parse: parseUnittestSummary },
  { runner: 'node-test', parse: parseNodeTestSummary },
  { runner: 'mocha', parse: parseMochaSummary },
  { runner: 'go', parse: parseGoTestSummary },
];

export interface RecognisedSummary {
  readonly runner: RunnerName;
  readonly counts: TestCounts;
  /**
   * False when the output's head was cut off and the counts add up several parts: the parts that
   * were cut off are missing, so the counts are a lower bound and are not compared.
   */
  readonly complete: boolean;
}

export interface SummaryOptions {
  /** The output was capped and its head dropped (the harness keeps the end of long output). */
  readonly truncated?: boolean;
}

/** The first runner whose summary the output holds, with its counts; undefined when none is recognised. */
export function parseTestSummary(output: string, options: SummaryOptions = {}): RecognisedSummary | undefined {
  for (const { runner, parse } of SUMMARY_PARSERS) {
    const counts = parse(output);
    if (counts === undefined) continue;
    return { runner, counts, complete: options.truncated !== true || counts.parts === 1 };
  }
  return undefined;
}
