/**
 * Test-runner configuration outside package.json: files that configure nothing but the tests
 * (any change counts), files that configure tests in one section among others (only that
 * section counts), and files where only certain lines select or skip tests.
 */
import path from 'node:path';
import { globMatcher } from './test-globs.js';

/** Files whose every line is test configuration. */
const RUNNER_CONFIG_FILES = globMatcher([
  '**/vitest.config.*',
  '**/vitest.workspace.*',
  '**/jest.config.*',
  '**/.mocharc*',
  '**/karma.conf.*',
  '**/playwright.config.*',
  '**/cypress.config.*',
  '**/ava.config.*',
  '**/pytest.ini',
  '**/tox.ini',
  '**/noxfile.py',
  '**/.rspec',
  '**/.rspec-local',
  '**/phpunit.xml',
  '**/phpunit.xml.dist',
  '**/.config/nextest.toml',
]);

/** Build-tool configs that hold test settings among others: compared only when they mention tests. */
const SHARED_CONFIG_FILES = globMatcher(['**/vite.config.*']);
const MENTIONS_TEST_SETTINGS = /\btest\s*:/;

interface SectionRule {
  readonly file: (filePath: string) => boolean;
  readonly name: string;
  /** Headers of the sections that configure tests. */
  readonly header: RegExp;
}

const SECTION_RULES: readonly SectionRule[] = [
  { file: globMatcher(['**/setup.cfg']), name: '[tool:pytest]', header: /^\[tool:pytest\]/ },
  { file: globMatcher(['**/pyproject.toml']), name: '[tool.pytest]', header: /^\[tool\.(?:pytest|tox)\b/ },
  { file: globMatcher(['**/Cargo.toml']), name: '[[test]]', header: /^\[\[test\]\]/ },
];

interface LineRule {
  readonly file: (filePath: string) => boolean;
  /** Lines that select, skip or configure tests. */
  readonly line: RegExp;
}

const LINE_RULES: readonly LineRule[] = [
  { file: globMatcher(['**/Cargo.toml']), line: /^\s*(?:test|doctest|harness)\s*=/ },
  {
    file: globMatcher(['**/conftest.py']),
    line: new RegExp(
      ['collect_ignore', 'pytest_collection_modifyitems', 'pytest_ignore_collect', 'pytest_collect_file'].join('|') +
        String.raw`|pytestmark|pytest\.skip|addopts`,
    ),
  },
  {
    file: globMatcher(['**/pom.xml']),
    line: new RegExp(
      String.raw`skipTests|maven\.test\.skip|testFailureIgnore|<skip>|<excludes?>|<includes?>|<test>` +
        '|<groups>|<excludedGroups>|<testSourceDirectory>',
    ),
  },
  {
    file: globMatcher(['**/build.gradle', '**/build.gradle.kts']),
    line: /\btest\b|\bTest\b|exclude|ignoreFailures|enabled\s*=\s*false|onlyIf|useJUnit|testSourceDirs/,
  },
  {
    file: globMatcher(['**/spec/spec_helper.rb', '**/spec/rails_helper.rb']),
    line: /filter_run|exclude_pattern|pattern/,
  },
  { file: globMatcher(['**/Rakefile']), line: /TestTask|test_files|pattern|RakeTask/ },
];

const MAKEFILES = globMatcher(['**/Makefile', '**/makefile', '**/GNUmakefile', '**/*.mk']);
/** Make targets that run tests: test, tests, check, test-unit, unit-test … */
const TEST_TARGET = /^((?:test|tests|check)(?:[-_.:][\w.-]*)?|[\w.-]*[-_]tests?)\s*:(?!=)/;

/** What in `filePath`'s configuration of tests differs between the two texts; undefined when nothing. */
export function testConfigDifference(filePath: string, before: string, after: string): string | undefined {
  if (RUNNER_CONFIG_FILES(filePath)) return `${path.basename(filePath)} configures the test runner`;
  if (SHARED_CONFIG_FILES(filePath) && (MENTIONS_TEST_SETTINGS.test(before) || MENTIONS_TEST_SETTINGS.test(after))) {
    return `${path.basename(filePath)} holds the test runner's settings`;
  }
  for (const rule of SECTION_RULES) {
    if (rule.file(filePath) && sections(before, rule.header) !== sections(after, rule.header)) {
      return `its ${rule.name} section changed`;
    }
  }
  for (const rule of LINE_RULES) {
    if (rule.file(filePath) && !sameLines(matchingLines(before, rule.line), matchingLines(after, rule.line))) {
      return 'lines that select or skip tests changed';
    }
  }
  if (MAKEFILES(filePath) && makeTestTargets(before) !== makeTestTargets(after)) return 'a test target changed';
  return undefined;
}

/** Whether any rule watches this file at all (a deleted or created file counts as changed). */
export function isTestConfigFile(filePath: string): boolean {
  return (
    RUNNER_CONFIG_FILES(filePath) ||
    SHARED_CONFIG_FILES(filePath) ||
    SECTION_RULES.some((rule) => rule.file(filePath)) ||
    LINE_RULES.some((rule) => rule.file(filePath)) ||
    MAKEFILES(filePath)
  );
}

function trimmedLines(text: string): string[] {
  return text.split('\n').map((line) => line.trim());
}

/** The text of every section whose header matches, up to the next header, blank lines dropped. */
function sections(text: string, header: RegExp): string {
  const kept: string[] = [];
  let inside = false;
  for (const line of trimmedLines(text)) {
    if (line.startsWith('[')) inside = header.test(line);
    if (inside && line !== '' && !line.startsWith('#')) kept.push(line);
  }
  return kept.join('\n');
}

function matchingLines(text: string, pattern: RegExp): string[] {
  return trimmedLines(text)
    .filter((line) => pattern.test(line))
    .sort();
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/** Each test target's rule line and recipe (the tab-indented lines under it), in file order. */
function makeTestTargets(text: string): string {
  const kept: string[] = [];
  let inside = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('\t') && line.trim() !== '') inside = TEST_TARGET.test(line);
    if (inside && line.trim() !== '') kept.push(line.trimEnd());
  }
  return kept.join('\n');
}
