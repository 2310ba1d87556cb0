/**
 * The tests a source file declares, by name, recognised by the common forms of each ecosystem:
 * `it('…')` / `test('…')` (JavaScript, and RSpec's `it '…'`), `def test_…` (pytest, unittest,
 * minitest), `func TestX(t *testing.T)` (Go), `#[test] fn x` (Rust), `@Test void x()` (JUnit).
 * The names tell a deleted test file from one whose tests were moved elsewhere; counting them
 * tells a test file from a helper.
 */
import { languageOf, withoutComments } from './language.js';

const DECLARATIONS: readonly RegExp[] = [
  // JavaScript / TypeScript (and RSpec with parentheses): it('adds'), test.each(...)('x'), describe
  // blocks are not tests.
  /\b(?:it|test|specify)(?:\.[A-Za-z]+)*\s*\(\s*(['"`])((?:(?!\1).)+)\1/g,
  // RSpec / minitest spec without parentheses: it 'adds' do
  /^\s*(?:it|specify|example|scenario)\s+(['"])((?:(?!\1).)+)\1/gm,
  // Python, Ruby minitest: def test_adds
  /^\s*(?:async\s+)?def\s+()(test_?\w*)\s*\(?/gm,
  // Go: func TestAdds(t *testing.T), also examples and fuzz targets
  /^func\s+()((?:Test|Example|Fuzz)\w*)\s*\(/gm,
  // Rust: #[test] (or #[tokio::test] …) possibly with more attributes, then fn name
  /#\[(?:\w+::)*test\b[^\]]*\]\s*(?:#\[[^\]]*\]\s*)*(?:pub\s+)?(?:async\s+)?fn\s+()(\w+)/g,
  // JUnit 4/5, TestNG: @Test (or @ParameterizedTest …) then a method
  new RegExp(
    String.raw`@(?:Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\b(?:\([^)]*\))?\s+` +
      String.raw`(?:@\w+(?:\([^)]*\))?\s+)*(?:public\s+|protected\s+|private\s+)?(?:static\s+)?(?:void|fun)\s+()(\w+)`,
    'g',
  ),
];

/**
 * Names of the tests declared in `text` (one entry per declaration, duplicates kept), outside
 * comments when the file's language is known from `path`.
 */
export function testNames(text: string, path: string): string[] {
  const code = withoutComments(text, languageOf(path));
  const names: string[] = [];
  for (const pattern of DECLARATIONS) {
    for (const match of code.matchAll(pattern)) names.push(match[2]!.trim());
  }
  return names;
}

export function declaresTests(text: string, path: string): boolean {
  return testNames(text, path).length > 0;
}
