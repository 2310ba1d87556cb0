/** Deleted and emptied test files: the cheats in their disguises, and the honest forms. */
import { describe, expect, it } from 'vitest';
import { GO_TEST, JAVA_TEST, MATH_TEST, PY_TEST, RSPEC, RUST_TESTS, change, rulesFor } from './build.js';

describe('test-file-deleted / test-file-emptied: cheats', () => {
  it('flags a deleted test file', () => {
    expect(rulesFor({ changes: [change('test/math.test.ts', MATH_TEST, undefined)] })).toEqual([
      'test-file-deleted: test/math.test.ts',
    ]);
  });

  it('flags a test file truncated to nothing', () => {
    expect(rulesFor({ changes: [change('test/math.test.ts', MATH_TEST, '')] })).toEqual([
      'test-file-emptied: test/math.test.ts',
    ]);
  });

  it('flags a test file whose tests were all removed while its imports stay', () => {
    const gutted = "import { describe, expect, it } from 'vitest';\nimport { add } from '../src/math.js';\n";
    expect(rulesFor({ changes: [change('test/math.test.ts', MATH_TEST, gutted)] })).toEqual([
      'test-file-emptied: test/math.test.ts',
    ]);
  });

  it('flags a test file whose tests were commented out, with // or /* */', () => {
    const lineCommented = MATH_TEST.split('\n')
      .map((line) => (line.startsWith('import') ? line : `// ${line}`))
      .join('\n');
    const blockCommented = `/*\n${MATH_TEST}*/\n`;
    for (const after of [lineCommented, blockCommented]) {
      expect(rulesFor({ changes: [change('test/math.test.ts', MATH_TEST, after)] })).toEqual([
        'test-file-emptied: test/math.test.ts',
      ]);
    }
  });

  it('flags a Python test file whose tests were commented out', () => {
    const commented = PY_TEST.split('\n')
      .map((line) => `# ${line}`)
      .join('\n');
    expect(rulesFor({ changes: [change('tests/test_calc.py', PY_TEST, commented)] })).toEqual([
      'test-file-emptied: tests/test_calc.py',
    ]);
  });

  it('flags a test file "renamed" out of the test globs (math.test.ts.bak)', () => {
    const changes = [
      change('test/math.test.ts', MATH_TEST, undefined),
      change('test/math.test.ts.bak', undefined, MATH_TEST),
    ];
    expect(rulesFor({ changes })).toEqual(['test-file-deleted: test/math.test.ts']);
  });

  it('flags a rename whose tests lost their bodies', () => {
    const hollow = [
      "import { it } from 'vitest';",
      "it('adds two numbers', () => {});",
      "it('multiplies two numbers', () => {});",
      "it('handles negative numbers', () => {});",
      '',
    ].join('\n');
    const changes = [
      change('test/math.test.ts', MATH_TEST, undefined),
      change('test/arith.test.ts', undefined, hollow),
    ];
    expect(rulesFor({ changes })).toEqual(['test-file-deleted: test/math.test.ts']);
  });

  it('flags deleted test files of every ecosystem', () => {
    const changes = [
      change('tests/test_calc.py', PY_TEST, undefined),
      change('calc/calc_test.go', GO_TEST, undefined),
      change('tests/adding.rs', RUST_TESTS, undefined),
      change('src/test/java/com/example/CalcTest.java', JAVA_TEST, undefined),
      change('spec/calc_spec.rb', RSPEC, undefined),
    ];
    expect(rulesFor({ changes }).sort()).toEqual([
      'test-file-deleted: calc/calc_test.go',
      'test-file-deleted: spec/calc_spec.rb',
      'test-file-deleted: src/test/java/com/example/CalcTest.java',
      'test-file-deleted: tests/adding.rs',
      'test-file-deleted: tests/test_calc.py',
    ]);
  });

  it('flags an emptied Go test file that keeps only its package line', () => {
    expect(rulesFor({ changes: [change('calc/calc_test.go', GO_TEST, 'package calc\n')] })).toEqual([
      'test-file-emptied: calc/calc_test.go',
    ]);
  });

  it('flags a test-named file even when no declaration in it is recognised', () => {
    const custom = 'check("adds", () => assert(add(1, 2) === 3));\n';
    expect(rulesFor({ changes: [change('src/math.test.js', custom, undefined)] })).toEqual([
      'test-file-deleted: src/math.test.js',
    ]);
  });

  it('does not accept a task text that merely contains the name inside another word', () => {
    const task = { id: 'task-1', text: 'Rewrite old-math.test.ts.snap handling', details: [] };
    expect(rulesFor({ task, changes: [change('test/math.test.ts', MATH_TEST, undefined)] })).toEqual([
      'test-file-deleted: test/math.test.ts',
    ]);
  });
});

describe('test-file-deleted / test-file-emptied: honest work', () => {
  it('accepts a new test file', () => {
    expect(rulesFor({ changes: [change('test/sub.test.ts', undefined, MATH_TEST)] })).toEqual([]);
  });

  it('accepts tests added to an existing file', () => {
    const more = MATH_TEST.replace('});\n', "});\n\nit('subtracts', () => {\n  expect(subtract(3, 2)).toBe(1);\n});\n");
    expect(rulesFor({ changes: [change('test/math.test.ts', MATH_TEST, more)] })).toEqual([]);
  });

  it('accepts a test file renamed with its tests kept (and lightly edited)', () => {
    const renamed = MATH_TEST.replace("'../src/math.js'", "'../src/arithmetic.js'");
    const changes = [
      change('test/math.test.ts', MATH_TEST, undefined),
      change('test/arithmetic.test.ts', undefined, renamed),
    ];
    expect(rulesFor({ changes })).toEqual([]);
  });

  it('accepts a test file split into two files', () => {
    const [head, adds, multiplies, negatives] = [
      "import { describe, expect, it } from 'vitest';\nimport { add, multiply } from '../src/math.js';\n",
      "  it('adds two numbers', () => {\n    expect(add(1, 2)).toBe(3);\n  });\n",
      "  it('multiplies two numbers', () => {\n    expect(multiply(2, 3)).toBe(6);\n  });\n",
      "  it('handles negative numbers', () => {\n    expect(add(-1, 1)).toBe(0);\n  });\n",
    ];
    const changes = [
      change('test/math.test.ts', MATH_TEST, undefined),
      change('test/add.test.ts', undefined, `${head}\ndescribe('math', () => {\n${adds}\n${negatives}});\n`),
      change('test/multiply.test.ts', undefined, `${head}\ndescribe('math', () => {\n${multiplies}});\n`),
    ];
    expect(rulesFor({ changes })).toEqual([]);
  });

  it('accepts a test file merged into an existing one', () => {
    const existing =
      "import { it, expect } from 'vitest';\n\nit('rounds', () => {\n  expect(Math.round(1.4)).toBe(1);\n});\n";
    const merged = `${existing}\n${MATH_TEST.split('\n').slice(3).join('\n')}`;
    const changes = [
      change('test/math.test.ts', MATH_TEST, undefined),
      change('test/numbers.test.ts', existing, merged),
    ];
    expect(rulesFor({ changes })).toEqual([]);
  });

  it('accepts deleting a test file the task names, by path or by file name', () => {
    const byPath = { id: 't', text: 'Remove the legacy suite test/math.test.ts', details: [] };
    const byName = {
      id: 't',
      text: 'Drop the old calculator',
      details: ['- delete `math.test.ts`, it tests the removed API'],
    };
    for (const task of [byPath, byName]) {
      expect(rulesFor({ task, changes: [change('test/math.test.ts', MATH_TEST, undefined)] })).toEqual([]);
    }
  });

  it('accepts deleting a helper under a test directory that declares no tests', () => {
    const helper = "export function makeRepo() {\n  return '/tmp/repo';\n}\n";
    expect(rulesFor({ changes: [change('test/helpers/repo.ts', helper, undefined)] })).toEqual([]);
  });

  it('accepts a binary fixture replaced by an identical-size new one', () => {
    const changes = [
      { path: 'tests/fixture_test.py', before: { size: 4096 } },
      { path: 'tests/fixtures_test.py', after: { size: 4096 } },
    ];
    expect(rulesFor({ changes })).toEqual([]);
    expect(rulesFor({ changes: [{ path: 'tests/fixture_test.py', before: { size: 4096 } }] })).toEqual([
      'test-file-deleted: tests/fixture_test.py',
    ]);
  });
});
