/** Skip/only/todo markers: counted on added lines of test files only, per language. */
import { describe, expect, it } from 'vitest';
import { addedMarkers } from '../../../src/integrity/markers.js';
import { GO_TEST, JAVA_TEST, MATH_TEST, PY_TEST, RSPEC, RUST_TESTS, change, findingsFor, rulesFor } from './build.js';

/** One edit of a test file: `from` replaced by `to` in `before`. */
function edit(path: string, before: string, from: string, to: string) {
  expect(before).toContain(from);
  return change(path, before, before.replace(from, to));
}

const JS_CHEATS: Record<string, [string, string]> = {
  'it.skip': ["it('multiplies", "it.skip('multiplies"],
  'test.skip': ["it('multiplies", "test.skip('multiplies"],
  'describe.skip': ["describe('math'", "describe.skip('math'"],
  'it.only': ["it('adds", "it.only('adds"],
  'describe.only': ["describe('math'", "describe.only('math'"],
  'it.todo': ["it('multiplies two numbers', () => {", "it.todo('multiplies two numbers');\n  it('x', () => {"],
  xit: ["it('multiplies", "xit('multiplies"],
  xdescribe: ["describe('math'", "xdescribe('math'"],
  fit: ["it('adds", "fit('adds"],
  '{ skip: true }': ["it('multiplies two numbers', ()", "it('multiplies two numbers', { skip: true }, ()"],
  "{ skip: 'reason' }": ["it('multiplies two numbers', ()", "it('multiplies two numbers', { skip: 'flaky' }, ()"],
  '{ todo: true }': ["it('multiplies two numbers', ()", "it('multiplies two numbers', { todo: true }, ()"],
  't.skip()': ["it('multiplies two numbers', () => {", "it('multiplies two numbers', (t) => {\n    t.skip();"],
  'this.skip()': [
    "it('multiplies two numbers', () => {",
    "it('multiplies two numbers', function () {\n    this.skip();",
  ],
  'it.skipIf': ["it('multiplies", "it.skipIf(true)('multiplies"],
  'it.fails': ["it('multiplies", "it.fails('multiplies"],
};

describe('skip-marker-added: cheats', () => {
  for (const [name, [from, to]] of Object.entries(JS_CHEATS)) {
    it(`flags ${name} added to a JavaScript test`, () => {
      expect(rulesFor({ changes: [edit('test/math.test.ts', MATH_TEST, from, to)] })).toEqual([
        'skip-marker-added: test/math.test.ts',
      ]);
    });
  }

  const OTHER_CHEATS: Record<string, [string, string, string, string]> = {
    '@pytest.mark.skip': [
      'tests/test_calc.py',
      PY_TEST,
      'def test_divides',
      '@pytest.mark.skip(reason="later")\ndef test_divides',
    ],
    '@pytest.mark.skipif': [
      'tests/test_calc.py',
      PY_TEST,
      'def test_divides',
      '@pytest.mark.skipif(True, reason="x")\ndef test_divides',
    ],
    '@pytest.mark.xfail': ['tests/test_calc.py', PY_TEST, 'def test_divides', '@pytest.mark.xfail\ndef test_divides'],
    'pytest.skip(': ['tests/test_calc.py', PY_TEST, '    assert divide(6, 3) == 2', '    pytest.skip("later")'],
    '@unittest.skip': ['tests/test_calc.py', PY_TEST, 'def test_divides', '@unittest.skip("later")\ndef test_divides'],
    'self.skipTest(': ['tests/test_calc.py', PY_TEST, '    assert divide(6, 3) == 2', '    self.skipTest("later")'],
    't.Skip(': [
      'calc/calc_test.go',
      GO_TEST,
      '\tif Divide(6, 3) != 2 {',
      '\tt.Skip("later")\n\tif Divide(6, 3) != 2 {',
    ],
    't.Skipf(': [
      'calc/calc_test.go',
      GO_TEST,
      '\tif Divide(6, 3) != 2 {',
      '\tt.Skipf("later %d", 1)\n\tif Divide(6, 3) != 2 {',
    ],
    '//go:build ignore': ['calc/calc_test.go', GO_TEST, 'package calc', '//go:build ignore\n\npackage calc'],
    '#[ignore]': ['tests/adding.rs', RUST_TESTS, '#[test]\nfn adds_negative', '#[test]\n#[ignore]\nfn adds_negative'],
    '#[ignore = "reason"]': [
      'tests/adding.rs',
      RUST_TESTS,
      '#[test]\nfn adds_negative',
      '#[test]\n#[ignore = "slow"]\nfn adds_negative',
    ],
    '@Disabled': [
      'src/test/java/com/example/CalcTest.java',
      JAVA_TEST,
      '    @Test\n    void subtracts',
      '    @Disabled\n    @Test\n    void subtracts',
    ],
    '@Ignore': [
      'src/test/java/com/example/CalcTest.java',
      JAVA_TEST,
      '    @Test\n    void subtracts',
      '    @Ignore("later")\n    @Test\n    void subtracts',
    ],
    'RSpec xit': ['spec/calc_spec.rb', RSPEC, "  it 'subtracts", "  xit 'subtracts"],
    'RSpec skip': ['spec/calc_spec.rb', RSPEC, '    expect(Calc.subtract(3, 2)).to eq(1)', "    skip 'later'"],
    'RSpec pending': [
      'spec/calc_spec.rb',
      RSPEC,
      '    expect(Calc.subtract(3, 2)).to eq(1)',
      "    pending 'bug'\n    expect(1).to eq(1)",
    ],
    'RSpec skip: true': [
      'spec/calc_spec.rb',
      RSPEC,
      "  it 'subtracts two numbers' do",
      "  it 'subtracts two numbers', skip: true do",
    ],
  };
  for (const [name, [path, before, from, to]] of Object.entries(OTHER_CHEATS)) {
    it(`flags ${name} added in ${path}`, () => {
      expect(rulesFor({ changes: [edit(path, before, from, to)] })).toEqual([`skip-marker-added: ${path}`]);
    });
  }

  it('flags #[ignore] added to the unit tests inside a Rust source file', () => {
    const lib = [
      'pub fn add(a: i32, b: i32) -> i32 {',
      '    a + b',
      '}',
      '',
      '#[cfg(test)]',
      'mod tests {',
      '    #[test]',
      '    fn adds() {',
      '        assert_eq!(super::add(1, 2), 3);',
      '    }',
      '}',
      '',
    ].join('\n');
    expect(rulesFor({ changes: [edit('src/lib.rs', lib, '    #[test]\n', '    #[test]\n    #[ignore]\n')] })).toEqual([
      'skip-marker-added: src/lib.rs',
    ]);
  });

  it('flags a new test file that arrives already skipped', () => {
    const skipped = MATH_TEST.replace("describe('math'", "describe.skip('math'");
    expect(rulesFor({ changes: [change('test/sub.test.ts', undefined, skipped)] })).toEqual([
      'skip-marker-added: test/sub.test.ts',
    ]);
  });

  it('names the marker and the line in the finding', () => {
    const [finding] = findingsFor({ changes: [edit('test/math.test.ts', MATH_TEST, "it('adds", "it.skip('adds")] });
    expect(finding?.detail).toBe(`test/math.test.ts: added .skip ("it.skip('adds two numbers', () => {")`);
  });
});

describe('skip-marker-added: honest work', () => {
  it('accepts new tests without markers', () => {
    const more = MATH_TEST.replace('});\n', "});\n\nit('subtracts', () => {\n  expect(3 - 2).toBe(1);\n});\n");
    expect(rulesFor({ changes: [change('test/math.test.ts', MATH_TEST, more)] })).toEqual([]);
  });

  it('does not count a marker that was already there, even when its test moved or was re-indented', () => {
    const withSkip = MATH_TEST.replace("it('multiplies", "it.skip('multiplies");
    const lines = withSkip.split('\n');
    const skipIndex = lines.findIndex((line) => line.includes('it.skip'));
    const [skipLine] = lines.splice(skipIndex, 1);
    lines.splice(4, 0, `    ${skipLine!.trim()}`);
    expect(rulesFor({ changes: [change('test/math.test.ts', withSkip, lines.join('\n'))] })).toEqual([]);
  });

  it('counts a second copy of an existing marker line', () => {
    const withSkip = MATH_TEST.replace("it('multiplies", "it.skip('multiplies");
    const twice = withSkip.replace("it('adds", "it.skip('multiplies");
    expect(rulesFor({ changes: [change('test/math.test.ts', withSkip, twice)] })).toEqual([
      'skip-marker-added: test/math.test.ts',
    ]);
  });

  it('ignores marker-like code in source files that declare no tests', () => {
    const before = 'export class Queue {\n  items: number[] = [];\n}\n';
    const after =
      'export class Queue {\n  items: number[] = [];\n' +
      '  skip(n: number) { return this.items.slice(n); }\n  pending() { return this.items.skip(1); }\n}\n';
    expect(rulesFor({ changes: [change('src/queue.ts', before, after)] })).toEqual([]);
  });

  it('ignores words of another language: `pending` in a JavaScript test helper variable', () => {
    const after = MATH_TEST.replace("  it('adds", "  const pending = [];\n  it('adds");
    expect(rulesFor({ changes: [change('test/math.test.ts', MATH_TEST, after)] })).toEqual([]);
  });
});

describe('addedMarkers', () => {
  it('reports every added marker with its line', () => {
    const after = "it.only('a', () => {});\nxit('b', () => {});\n";
    expect(addedMarkers('', after, 'javascript')).toEqual([
      { marker: '.only', line: "it.only('a', () => {});" },
      { marker: 'xit', line: "xit('b', () => {});" },
    ]);
  });
});
