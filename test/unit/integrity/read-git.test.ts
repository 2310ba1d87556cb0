/** The git side: the baseline from a real start commit, and an iteration's changes read back from git and disk. */
import { readFileSync } from 'node:fs';
import { rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../../src/integrity/check.js';
import { readIterationChanges, readTextAtCommit, recordTestBaseline } from '../../../src/integrity/read-git.js';
import { defaultTestGlobs } from '../../../src/integrity/test-globs.js';
import { iterationChanges } from '../../../src/workspace/changes.js';
import { headCommit } from '../../../src/workspace/git.js';
import { gitSync, makeRepo, writeFiles } from '../../helpers/git-repo.js';
import { MATH_TEST, OPTIONS, PY_TEST } from './build.js';

const VITEST_PASSING = readFileSync(
  path.join(import.meta.dirname, '../../fixtures/runner-output/vitest/passing.txt'),
  'utf8',
);

async function repoWithTests(): Promise<{ repo: string; start: string }> {
  const repo = await makeRepo({
    'package.json': '{"scripts":{"test":"vitest run"}}\n',
    'src/math.ts': 'export const add = (a: number, b: number) => a + b;\n',
    'test/math.test.ts': MATH_TEST,
    'test/empty.test.ts': '',
    'tests/test_calc.py': PY_TEST,
    'TODOS.md': '- [ ] Add subtraction\n',
  });
  return { repo, start: (await headCommit(repo))! };
}

describe('recordTestBaseline', () => {
  it('lists the start commit test files with blob ids, and counts from a verification of that tree', async () => {
    const { repo, start } = await repoWithTests();
    const tree = gitSync(repo, 'rev-parse', `${start}^{tree}`).trim();
    const baseline = await recordTestBaseline({
      cwd: repo,
      commit: start,
      testGlobs: defaultTestGlobs(),
      lastPassing: { tree, output: VITEST_PASSING },
    });
    expect(baseline.commit).toBe(start);
    expect(baseline.tree).toBe(tree);
    expect(baseline.testFiles.map((file) => [file.path, file.nonEmpty])).toEqual([
      ['test/empty.test.ts', false],
      ['test/math.test.ts', true],
      ['tests/test_calc.py', true],
    ]);
    expect(baseline.testFiles[1]?.blob).toBe(gitSync(repo, 'rev-parse', `${start}:test/math.test.ts`).trim());
    expect(baseline.counts).toMatchObject({ runner: 'vitest', counts: { run: 4, passed: 4 }, complete: true });
  });

  it('takes no counts from a verification of another tree, and nothing on a branch without commits', async () => {
    const { repo, start } = await repoWithTests();
    const other = await recordTestBaseline({
      cwd: repo,
      commit: start,
      testGlobs: defaultTestGlobs(),
      lastPassing: { tree: '0'.repeat(40), output: VITEST_PASSING },
    });
    expect(other.counts).toBeUndefined();
    const unborn = await recordTestBaseline({ cwd: repo, commit: undefined, testGlobs: defaultTestGlobs() });
    expect(unborn).toEqual({ commit: null, tree: null, testFiles: [] });
  });
});

describe('readIterationChanges', () => {
  it('reads each changed path at the start commit and in the work tree, committed or not', async () => {
    const { repo, start } = await repoWithTests();
    // The "agent" commits a deletion, leaves an edit and a new file uncommitted, and adds binary and symlink files.
    gitSync(repo, 'rm', '-q', 'tests/test_calc.py');
    gitSync(repo, 'commit', '-qm', 'agent: remove the python tests');
    await writeFiles(repo, {
      'src/math.ts': 'export const add = (a: number, b: number) => b + a;\n',
      'test/new.test.ts': MATH_TEST,
    });
    await writeFile(path.join(repo, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    await symlink('src/math.ts', path.join(repo, 'alias.ts'));
    const { all } = await iterationChanges(repo, start, { preDirty: new Set(), harnessPaths: [] });
    const changes = await readIterationChanges({ cwd: repo, startCommit: start, paths: all });
    const byPath = Object.fromEntries(changes.map((c) => [c.path, c]));
    expect(Object.keys(byPath).sort()).toEqual([
      'alias.ts',
      'logo.png',
      'src/math.ts',
      'test/new.test.ts',
      'tests/test_calc.py',
    ]);
    expect(byPath['tests/test_calc.py']).toEqual({
      path: 'tests/test_calc.py',
      before: { size: PY_TEST.length, text: PY_TEST },
    });
    expect(byPath['src/math.ts']?.before?.text).toContain('a + b');
    expect(byPath['src/math.ts']?.after?.text).toContain('b + a');
    expect(byPath['test/new.test.ts']?.before).toBeUndefined();
    expect(byPath['logo.png']?.after).toEqual({ size: 7 });
    expect(byPath['alias.ts']?.after?.text).toBe('src/math.ts');
  });

  it('feeds checkIntegrity: the committed deletion of a test file is found', async () => {
    const { repo, start } = await repoWithTests();
    await rm(path.join(repo, 'test/math.test.ts'));
    gitSync(repo, 'commit', '-qam', 'agent: tests were in the way');
    const baseline = await recordTestBaseline({ cwd: repo, commit: start, testGlobs: defaultTestGlobs() });
    const { all } = await iterationChanges(repo, start, { preDirty: new Set(), harnessPaths: [] });
    const changes = await readIterationChanges({ cwd: repo, startCommit: start, paths: all });
    const task = { id: 'x', text: 'Add subtraction', details: [] };
    const { findings } = checkIntegrity({ baseline, changes, task }, OPTIONS);
    expect(findings.map((f) => `${f.rule}: ${f.path}`)).toEqual(['test-file-deleted: test/math.test.ts']);
  });

  it('treats files over the size cap as opaque', async () => {
    const { repo, start } = await repoWithTests();
    await writeFiles(repo, { 'test/math.test.ts': `${MATH_TEST}// more\n` });
    const [changed] = await readIterationChanges({
      cwd: repo,
      startCommit: start,
      paths: ['test/math.test.ts'],
      maxTextBytes: 10,
    });
    expect(changed).toEqual({
      path: 'test/math.test.ts',
      before: { size: MATH_TEST.length },
      after: { size: MATH_TEST.length + 8 },
    });
  });
});

describe('readTextAtCommit', () => {
  it('reads one file of the start commit, and nothing for an absent one', async () => {
    const { repo, start } = await repoWithTests();
    await writeFiles(repo, { 'package.json': '{}\n' });
    expect(await readTextAtCommit(repo, start, 'package.json')).toBe('{"scripts":{"test":"vitest run"}}\n');
    expect(await readTextAtCommit(repo, start, 'missing.json')).toBeUndefined();
    expect(await readTextAtCommit(repo, undefined, 'package.json')).toBeUndefined();
  });
});
