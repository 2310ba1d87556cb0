/** Fewer tests run, more skipped, none run: the iteration's test output against the baseline's. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineOf, change, findingsFor, MATH_TEST, rulesFor } from './build.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/runner-output');
const output = (name: string) => readFileSync(path.join(FIXTURES, `${name}.txt`), 'utf8');

/** A vitest summary as a verification would print it. */
function vitest(passed: number, skipped = 0, todo = 0): string {
  const parts = [
    `${passed} passed`,
    ...(skipped > 0 ? [`${skipped} skipped`] : []),
    ...(todo > 0 ? [`${todo} todo`] : []),
  ];
  const total = passed + skipped + todo;
  return ` Test Files  2 passed (2)\n      Tests  ${parts.join(' | ')} (${total})\n   Duration  1.2s\n`;
}

const SOURCE_EDIT = change('src/math.ts', 'export const x = 1;\n', 'export const x = 2;\n');

function countRules(baselineOutput: string | undefined, current: string | undefined, truncated = false) {
  return rulesFor({
    changes: [SOURCE_EDIT],
    baseline: baselineOf(['test/math.test.ts'], baselineOutput),
    ...(current === undefined ? {} : { verification: { output: current, truncated } }),
  });
}

describe('count rules: cheats', () => {
  it('flags fewer tests run than at the start (a test deleted inside a file, or a narrowed filter)', () => {
    expect(countRules(vitest(12), vitest(11))).toEqual(['fewer-tests-run: (test run)']);
    expect(
      countRules(output('pytest/passing'), output('pytest/failing').replace('2 failed, 3 passed', '3 passed')),
    ).toEqual(['fewer-tests-run: (test run)']);
  });

  it('flags more tests skipped or todo than at the start (once, not also as fewer run)', () => {
    expect(countRules(vitest(12), vitest(11, 1))).toEqual(['more-tests-skipped: (test run)']);
    expect(countRules(vitest(12), vitest(10, 1))).toEqual([
      'fewer-tests-run: (test run)',
      'more-tests-skipped: (test run)',
    ]);
    expect(countRules(vitest(12), vitest(12, 0, 1))).toEqual(['more-tests-skipped: (test run)']);
    expect(countRules(output('cargo/passing'), output('cargo/skipping'))).toEqual(['more-tests-skipped: (test run)']);
  });

  it('flags zero tests where the baseline ran some, with the real "no tests" outputs', () => {
    for (const runner of [
      'node-test-spec',
      'vitest',
      'jest',
      'mocha',
      'pytest',
      'go-plain',
      'cargo',
      'surefire',
      'rspec',
      'unittest',
      'minitest',
    ]) {
      expect(countRules(output(`${runner}/passing`), output(`${runner}/empty`)), runner).toEqual([
        'no-tests-ran: (test run)',
      ]);
    }
    expect(countRules(output('go-verbose/passing'), output('go-verbose/no-tests-to-run'))).toEqual([
      'no-tests-ran: (test run)',
    ]);
  });

  it('flags an output without any test summary where the baseline had one (the test command became `echo ok`)', () => {
    const [finding] = findingsFor({
      changes: [SOURCE_EDIT],
      baseline: baselineOf([], vitest(12)),
      verification: { output: '> demo@1.0.0 test\n> echo ok\n\nok\n' },
    });
    expect(finding).toEqual({
      rule: 'no-tests-ran',
      path: '(test run)',
      detail: 'the test output has no summary the harness recognises; at the start vitest ran 12 tests',
    });
  });
});

describe('count rules: honest work', () => {
  it('accepts more tests run than at the start', () => {
    expect(countRules(vitest(12), vitest(14))).toEqual([]);
    expect(countRules(output('node-test-tap/skipping'), output('node-test-tap/passing'))).toEqual([]);
  });

  it('accepts the same counts, and fewer skipped', () => {
    expect(countRules(vitest(12, 2), vitest(14))).toEqual([]);
  });

  it('compares nothing without baseline counts, or without a verification', () => {
    expect(countRules(undefined, vitest(0))).toEqual([]);
    expect(countRules(vitest(12), undefined)).toEqual([]);
  });

  it('compares nothing when the baseline ran no test either', () => {
    expect(countRules(output('vitest/empty'), output('vitest/empty'))).toEqual([]);
    expect(countRules(output('vitest/empty'), 'ok\n')).toEqual([]);
  });

  it('does not compare counts added up from a head-truncated output', () => {
    const cut = output('cargo/passing').split('\n').slice(8).join('\n');
    expect(countRules(output('cargo/passing'), cut, true)).toEqual([]);
    expect(countRules(output('cargo/passing'), cut, false)).toEqual(['fewer-tests-run: (test run)']);
  });

  it('does not compare packages with tests (plain go test) to tests (go test -v)', () => {
    expect(countRules(output('go-verbose/passing'), output('go-plain/passing'))).toEqual([]);
  });

  it('expects fewer tests when a test file the task names was removed, but not more skipped ones', () => {
    const task = { id: 't', text: 'Remove test/math.test.ts with the old API', details: [] };
    const changes = [change('test/math.test.ts', MATH_TEST, undefined)];
    const baseline = baselineOf(['test/math.test.ts'], vitest(12));
    expect(rulesFor({ task, changes, baseline, verification: { output: vitest(9) } })).toEqual([]);
    expect(rulesFor({ task, changes, baseline, verification: { output: vitest(0) } })).toEqual([]);
    expect(rulesFor({ task, changes, baseline, verification: { output: vitest(8, 1) } })).toEqual([
      'more-tests-skipped: (test run)',
    ]);
  });

  it('still expects the count when the task names a test file that was only edited, not removed', () => {
    const task = { id: 't', text: 'Add a case for zero to test/math.test.ts', details: [] };
    const more = MATH_TEST.replace('});\n', "});\n\nit('adds zero', () => {\n  expect(add(0, 0)).toBe(0);\n});\n");
    const changes = [change('test/math.test.ts', MATH_TEST, more)];
    const baseline = baselineOf(['test/math.test.ts'], vitest(12));
    expect(rulesFor({ task, changes, baseline, verification: { output: vitest(9) } })).toEqual([
      'fewer-tests-run: (test run)',
    ]);
  });
});
