/**
 * Which tracked files are test files: glob patterns matched against repository-relative paths
 * (forward slashes). The defaults cover the usual layouts of each ecosystem; `testGlobs` in the
 * options replaces them.
 */
import picomatch from 'picomatch';

export type Ecosystem = 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'ruby';

const JS_EXTENSIONS = '{js,jsx,ts,tsx,mjs,cjs,mts,cts}';

export const DEFAULT_TEST_GLOBS: Readonly<Record<Ecosystem, readonly string[]>> = {
  javascript: [
    `**/*.{test,spec}.${JS_EXTENSIONS}`,
    `**/__tests__/**/*.${JS_EXTENSIONS}`,
    `**/{test,tests}/**/*.${JS_EXTENSIONS}`,
  ],
  python: ['**/test_*.py', '**/*_test.py', '**/tests/**/*.py'],
  go: ['**/*_test.go'],
  rust: ['**/tests/**/*.rs'],
  java: ['**/src/test/**/*.{java,kt,groovy,scala}', '**/*{Test,Tests,IT}.{java,kt}'],
  ruby: ['**/spec/**/*_spec.rb', '**/test/**/*_test.rb', '**/test/**/test_*.rb'],
};

/** Every ecosystem's defaults, in one list. */
export function defaultTestGlobs(): string[] {
  return Object.values(DEFAULT_TEST_GLOBS).flat();
}

/**
 * File names that say "this is a test" whatever the directory: deleting such a file is a finding
 * even when no test declaration in it is recognised. A file that is only under a test directory
 * (a helper, a fixture) is held to that only when it declares tests.
 */
const TEST_FILE_NAMES = [
  `**/*.{test,spec}.${JS_EXTENSIONS}`,
  '**/test_*.py',
  '**/*_test.py',
  '**/*_test.go',
  '**/*_spec.rb',
  '**/*_test.rb',
  '**/*{Test,Tests,IT}.{java,kt}',
];

export type PathMatcher = (path: string) => boolean;

/** A matcher for repository-relative paths; dot files and dot directories match like others. */
export function globMatcher(globs: readonly string[]): PathMatcher {
  if (globs.length === 0) return () => false;
  return picomatch([...globs], { dot: true });
}

const namedLikeATest = globMatcher(TEST_FILE_NAMES);

export function isNamedLikeATest(path: string): boolean {
  return namedLikeATest(path);
}
