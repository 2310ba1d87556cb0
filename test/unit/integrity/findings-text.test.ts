/** Findings as text and trailers, the user's allow list, the decision by mode, the default test globs. */
import { describe, expect, it } from 'vitest';
import { allowEntryErrors } from '../../../src/integrity/allow.js';
import { decideIntegrity } from '../../../src/integrity/decide.js';
import { describeFinding, integrityTrailers } from '../../../src/integrity/describe.js';
import { DEFAULT_TEST_GLOBS, globMatcher } from '../../../src/integrity/test-globs.js';
import type { IntegrityFinding } from '../../../src/integrity/types.js';
import { MATH_TEST, change, rulesFor } from './build.js';

const DELETED: IntegrityFinding = {
  rule: 'test-file-deleted',
  path: 'test/math.test.ts',
  detail: 'test/math.test.ts, which held 3 tests, was deleted',
};
const FEWER: IntegrityFinding = {
  rule: 'fewer-tests-run',
  path: '(test run)',
  detail: '9 tests ran; at the start vitest ran 12 tests',
};

describe('describeFinding and integrityTrailers', () => {
  it('names file, rule and what was seen on one line', () => {
    expect(describeFinding(DELETED)).toBe(
      'test/math.test.ts: test-file-deleted (a test file was deleted): ' +
        'test/math.test.ts, which held 3 tests, was deleted',
    );
  });

  it('formats one trailer per distinct finding', () => {
    expect(integrityTrailers([DELETED, FEWER, DELETED])).toEqual([
      'Integrity-Finding: test-file-deleted: test/math.test.ts',
      'Integrity-Finding: fewer-tests-run: (test run)',
    ]);
  });

  it('quotes a path with a newline so that a trailer stays one line', () => {
    const odd = { ...DELETED, path: 'test/a\nb.test.ts' };
    expect(integrityTrailers([odd])).toEqual(['Integrity-Finding: test-file-deleted: "test/a\\nb.test.ts"']);
    expect(describeFinding(odd)).not.toContain('\n');
  });
});

describe('allow list', () => {
  const deletion = [change('test/math.test.ts', MATH_TEST, undefined)];

  it('drops findings of an allowed rule, or of an allowed rule on matching paths', () => {
    expect(rulesFor({ changes: deletion, options: { allow: ['test-file-deleted'] } })).toEqual([]);
    expect(rulesFor({ changes: deletion, options: { allow: ['test-file-deleted:test/**'] } })).toEqual([]);
    expect(rulesFor({ changes: deletion, options: { allow: ['test-file-deleted:spec/**'] } })).toEqual([
      'test-file-deleted: test/math.test.ts',
    ]);
    expect(rulesFor({ changes: deletion, options: { allow: ['ci-config-edited'] } })).toEqual([
      'test-file-deleted: test/math.test.ts',
    ]);
  });

  it('explains entries that are not rules', () => {
    expect(allowEntryErrors(['ci-config-edited:.github/**', 'skip-markers', 'test-file-deleted:'])).toEqual([
      '"skip-markers": "skip-markers" is not an integrity rule',
      '"test-file-deleted:": the glob after "test-file-deleted:" is empty',
    ]);
  });
});

describe('decideIntegrity', () => {
  it('repairs once then fails in enforce, flags in warn, ignores in off', () => {
    expect(decideIntegrity({ mode: 'enforce', findings: [DELETED], repairTried: false })).toBe('repair');
    expect(decideIntegrity({ mode: 'enforce', findings: [DELETED], repairTried: true })).toBe('fail');
    expect(decideIntegrity({ mode: 'warn', findings: [DELETED], repairTried: false })).toBe('flag');
    expect(decideIntegrity({ mode: 'off', findings: [DELETED], repairTried: true })).toBe('proceed');
    expect(decideIntegrity({ mode: 'enforce', findings: [], repairTried: true })).toBe('proceed');
  });
});

describe('default test globs', () => {
  const cases: Record<keyof typeof DEFAULT_TEST_GLOBS, { tests: string[]; sources: string[] }> = {
    javascript: {
      tests: [
        'src/math.test.ts',
        'app/ui/button.spec.tsx',
        'lib/__tests__/parse.js',
        'test/e2e/run.mjs',
        'packages/a/tests/x.cts',
      ],
      sources: ['src/math.ts', 'test/fixtures/data.json', 'src/testing.ts', 'latest/x.ts'],
    },
    python: {
      tests: ['tests/test_calc.py', 'calc/test_ops.py', 'calc/ops_test.py', 'pkg/tests/helpers.py'],
      sources: ['calc/ops.py', 'calc/contest.py'],
    },
    go: { tests: ['calc/ops_test.go', 'ops_test.go'], sources: ['calc/ops.go', 'testdata/x.go'] },
    rust: { tests: ['tests/integration.rs', 'crates/a/tests/it/main.rs'], sources: ['src/lib.rs', 'benches/b.rs'] },
    java: {
      tests: ['src/test/java/com/example/CalcTest.java', 'app/src/test/kotlin/CalcSpec.kt', 'lib/CalcTests.java'],
      sources: ['src/main/java/com/example/Calc.java'],
    },
    ruby: {
      tests: ['spec/calc_spec.rb', 'spec/models/user_spec.rb', 'test/calc_test.rb', 'test/unit/test_calc.rb'],
      sources: ['lib/calc.rb', 'spec/spec_helper.rb'],
    },
  };
  for (const [ecosystem, { tests, sources }] of Object.entries(cases)) {
    it(`${ecosystem}: matches the test files of the usual layouts and not the sources`, () => {
      const matches = globMatcher(DEFAULT_TEST_GLOBS[ecosystem as keyof typeof DEFAULT_TEST_GLOBS]);
      expect(tests.filter((file) => !matches(file))).toEqual([]);
      expect(sources.filter(matches)).toEqual([]);
    });
  }
});
