/** Which package.json scripts and files make up the test command. */
import { describe, expect, it } from 'vitest';
import { filesNamedBy, scriptsNamedBy, testScriptClosure } from '../../../src/integrity/package-scripts.js';
import { testCommandFiles } from '../../../src/integrity/protected-files.js';

describe('scriptsNamedBy', () => {
  it('reads the script names package managers and script runners are asked to run', () => {
    expect(scriptsNamedBy('npm test')).toEqual(['test']);
    expect(scriptsNamedBy('npm t')).toEqual(['test']);
    expect(scriptsNamedBy('npm run -s test:unit && pnpm run lint')).toEqual(['test:unit', 'lint']);
    expect(scriptsNamedBy('yarn e2e; bun run check')).toEqual(['e2e', 'check']);
    expect(scriptsNamedBy('npm run-script build')).toEqual(['build']);
    expect(scriptsNamedBy('run-s build "test:*"')).toEqual(['build', 'test:*']);
    expect(scriptsNamedBy('concurrently "npm:lint" "npm:test:unit"')).toEqual(['lint', 'test:unit']);
  });

  it('ignores package-manager subcommands that are not scripts', () => {
    expect(scriptsNamedBy('npm ci && npx vitest run && pnpm exec tsc')).toEqual([]);
    expect(scriptsNamedBy('vitest run')).toEqual([]);
  });
});

describe('testScriptClosure', () => {
  const scripts = {
    test: 'npm run build && run-s "test:*"',
    pretest: 'npm run lint',
    build: 'tsc',
    'test:unit': 'vitest run',
    'test:e2e': 'node scripts/e2e.mjs',
    lint: 'biome ci .',
    release: 'npm publish',
  };

  it('follows test, its hooks and everything it calls, npm-run-all patterns included', () => {
    expect([...testScriptClosure(scripts, '')].sort()).toEqual([
      'build',
      'lint',
      'pretest',
      'test',
      'test:e2e',
      'test:unit',
    ]);
  });

  it('starts from the scripts the configured test command names too', () => {
    expect([...testScriptClosure({ check: 'vitest run', test: 'echo no tests' }, 'npm run check')].sort()).toEqual([
      'check',
      'test',
    ]);
  });

  it('ends on scripts that call each other and on names that are no script', () => {
    expect(
      [...testScriptClosure({ test: 'npm run a', a: 'npm test && npm run missing' }, 'npm run nope')].sort(),
    ).toEqual(['a', 'test']);
    expect([...testScriptClosure({}, 'npm test')]).toEqual([]);
  });
});

describe('filesNamedBy', () => {
  it('keeps the words that are files: paths and scripts, config values of flags', () => {
    expect(filesNamedBy('node scripts/run.mjs --config=vitest.e2e.config.ts && ./check.sh')).toEqual([
      'scripts/run.mjs',
      'vitest.e2e.config.ts',
      'check.sh',
    ]);
  });

  it('leaves out globs, absolute paths, URLs, variables and plain words', () => {
    expect(filesNamedBy("node --test 'test/**/*.test.mjs' /usr/bin/env https://x.test/a $DIR/x vitest run")).toEqual(
      [],
    );
  });

  it('collects the files of the test command and of its scripts', () => {
    const manifest = JSON.stringify({ scripts: { test: 'node tools/test-all.js', other: 'node tools/other.js' } });
    expect(testCommandFiles('npm test && bash ci/extra.sh', manifest)).toEqual(['ci/extra.sh', 'tools/test-all.js']);
    expect(testCommandFiles('pytest -c tests/pytest.ini', undefined)).toEqual(['tests/pytest.ini']);
  });
});
