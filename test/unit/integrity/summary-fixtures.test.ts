/**
 * The summary parsers against real output captured from the real runners
 * (scripts/capture-runner-fixtures.sh writes test/fixtures/runner-output/<runner>/<case>.txt).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunnerName, SUMMARY_PARSERS, parseTestSummary } from '../../../src/integrity/summary/dispatch.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/runner-output');

interface Expected {
  readonly passed: number;
  readonly failed: number;
  readonly skipped?: number;
  readonly todo?: number;
  readonly unit?: 'test' | 'package';
}

const NONE: Expected = { passed: 0, failed: 0 };
const FAILING: Expected = { passed: 3, failed: 2 };

/** Per fixture directory: the runner the dispatcher must recognise and the exact counts of each case. */
const EXPECTED: Record<string, { runner: RunnerName; cases: Record<string, Expected> }> = {
  'node-test-spec': {
    runner: 'node-test',
    cases: {
      passing: { passed: 4, failed: 0 },
      failing: FAILING,
      'failing-color': FAILING,
      skipping: { passed: 2, failed: 0, skipped: 2, todo: 1 },
      empty: NONE,
    },
  },
  'node-test-tap': {
    runner: 'node-test',
    cases: {
      passing: { passed: 4, failed: 0 },
      failing: FAILING,
      'failing-color': FAILING,
      skipping: { passed: 2, failed: 0, skipped: 2, todo: 1 },
      empty: NONE,
    },
  },
  vitest: {
    runner: 'vitest',
    cases: {
      passing: { passed: 4, failed: 0 },
      failing: FAILING,
      'failing-color': FAILING,
      skipping: { passed: 2, failed: 0, skipped: 2, todo: 1 },
      empty: NONE,
    },
  },
  jest: {
    runner: 'jest',
    cases: {
      passing: { passed: 4, failed: 0 },
      failing: FAILING,
      'failing-color': FAILING,
      skipping: { passed: 2, failed: 0, skipped: 2, todo: 1 },
      empty: NONE,
      'empty-pass-with-no-tests': NONE,
    },
  },
  mocha: {
    runner: 'mocha',
    cases: {
      passing: { passed: 4, failed: 0 },
      failing: FAILING,
      'failing-color': FAILING,
      // Mocha reports the skipped tests and the todo (a test without a body) together as pending.
      skipping: { passed: 2, failed: 0, skipped: 3 },
      empty: NONE,
    },
  },
  pytest: {
    runner: 'pytest',
    cases: {
      passing: { passed: 4, failed: 0 },
      'passing-quiet': { passed: 4, failed: 0 },
      failing: FAILING,
      'failing-color': FAILING,
      // 2 skipped and 1 xfailed: an expected failure did not test anything either.
      skipping: { passed: 2, failed: 0, skipped: 3 },
      empty: NONE,
    },
  },
  unittest: {
    runner: 'unittest',
    cases: {
      passing: { passed: 4, failed: 0 },
      'passing-verbose': { passed: 4, failed: 0 },
      failing: FAILING,
      // 2 skipped and 1 expected failure.
      skipping: { passed: 2, failed: 0, skipped: 3 },
      empty: NONE,
    },
  },
  minitest: {
    runner: 'minitest',
    cases: {
      passing: { passed: 4, failed: 0 },
      failing: FAILING,
      skipping: { passed: 2, failed: 0, skipped: 2 },
      empty: NONE,
    },
  },
  'go-plain': {
    runner: 'go',
    cases: {
      passing: { passed: 2, failed: 0, unit: 'package' },
      failing: { passed: 0, failed: 2, unit: 'package' },
      skipping: { passed: 2, failed: 0, unit: 'package' },
      empty: { passed: 0, failed: 0, unit: 'package' },
      'no-tests-to-run': { passed: 0, failed: 0, unit: 'package' },
    },
  },
  'go-verbose': {
    runner: 'go',
    cases: {
      // TestTable and its two subtests count as three.
      passing: { passed: 6, failed: 0 },
      failing: FAILING,
      skipping: { passed: 2, failed: 0, skipped: 2 },
      empty: { passed: 0, failed: 0, unit: 'package' },
      'no-tests-to-run': { passed: 0, failed: 0, unit: 'package' },
    },
  },
  cargo: {
    runner: 'cargo',
    cases: {
      passing: { passed: 5, failed: 0 },
      // Without --no-fail-fast cargo stops after the first failing test binary.
      failing: { passed: 1, failed: 1 },
      'failing-no-fail-fast': FAILING,
      'failing-color': FAILING,
      skipping: { passed: 3, failed: 0, skipped: 2 },
      empty: NONE,
    },
  },
  surefire: {
    runner: 'surefire',
    cases: {
      passing: { passed: 4, failed: 0 },
      failing: FAILING,
      'failing-color': FAILING,
      skipping: { passed: 2, failed: 0, skipped: 3 },
      empty: NONE,
    },
  },
  rspec: {
    runner: 'rspec',
    cases: {
      passing: { passed: 4, failed: 0 },
      'passing-documentation': { passed: 4, failed: 0 },
      failing: FAILING,
      'failing-color': FAILING,
      skipping: { passed: 2, failed: 0, skipped: 3 },
      empty: NONE,
    },
  },
};

function fixture(directory: string, name: string): string {
  return readFileSync(path.join(FIXTURES, directory, `${name}.txt`), 'utf8');
}

function expectedCounts(expected: Expected) {
  return {
    passed: expected.passed,
    failed: expected.failed,
    run: expected.passed + expected.failed,
    skipped: expected.skipped ?? 0,
    todo: expected.todo ?? 0,
    unit: expected.unit ?? 'test',
  };
}

describe('runner-output fixtures', () => {
  it('has an expectation for every captured fixture and a fixture for every expectation', () => {
    for (const directory of readdirSync(FIXTURES)) {
      const captured = readdirSync(path.join(FIXTURES, directory)).map((file) => file.replace(/\.txt$/, ''));
      expect(Object.keys(EXPECTED[directory]?.cases ?? {}).sort(), directory).toEqual(captured.sort());
    }
    expect(Object.keys(EXPECTED).sort()).toEqual(readdirSync(FIXTURES).sort());
  });

  for (const [directory, { runner, cases }] of Object.entries(EXPECTED)) {
    describe(directory, () => {
      for (const [name, expected] of Object.entries(cases)) {
        it(`${name}: recognised as ${runner} with the exact counts`, () => {
          const summary = parseTestSummary(fixture(directory, name));
          expect(summary?.runner).toBe(runner);
          expect(summary?.counts).toMatchObject(expectedCounts(expected));
          expect(summary?.complete).toBe(true);
        });

        it(`${name}: no other runner's parser reads it`, () => {
          const output = fixture(directory, name);
          const readers = SUMMARY_PARSERS.filter((parser) => parser.parse(output) !== undefined);
          expect(readers.map((parser) => parser.runner)).toEqual([runner]);
        });
      }
    });
  }
});
