/**
 * The tester's diff is read as soon as a verification passes, beside the integrity checks, and the
 * tester's turn takes that reading only while it is still of the same tree; otherwise it reads
 * the diff again.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IterationRun } from '../../src/loop/iteration-run.js';
import { readTesterDiffAhead, testerDiff } from '../../src/loop/tester-diff.js';
import { readTreeState } from '../../src/workspace/tree-state.js';
import { gitSync, makeRepo } from '../helpers/git-repo.js';

async function runIn(repo: string): Promise<IterationRun> {
  const startCommit = gitSync(repo, 'rev-parse', 'HEAD').trim();
  const filter = { preDirty: new Set<string>(), harnessPaths: [] };
  const tree = await readTreeState({ repoRoot: repo, startCommit, filter, notProduct: ['TODOS.md'] });
  const warnings: string[] = [];
  return {
    services: {
      config: { repoRoot: repo, promptMode: 'lean', maxPromptDiffLines: 200 },
      journal: { append: (event: { message: string }) => warnings.push(event.message) },
    },
    start: { startCommit, notProduct: ['TODOS.md'], filter },
    state: { tree },
  } as unknown as IterationRun;
}

async function reread(run: IterationRun): Promise<void> {
  const { repoRoot } = run.services.config;
  const { startCommit, filter } = run.start;
  run.state.tree = await readTreeState({ repoRoot, startCommit, filter, notProduct: ['TODOS.md'] });
}

describe("the tester's diff", () => {
  it('is the one read ahead while the tree stays as it was', async () => {
    const repo = await makeRepo({ 'a.txt': 'one\n' });
    await writeFile(path.join(repo, 'a.txt'), 'two\n');
    const run = await runIn(repo);
    readTesterDiffAhead(run);
    // git can no longer answer: only the reading made ahead can give the diff now.
    (run.services.config as { repoRoot: string }).repoRoot = path.join(repo, 'gone');
    const diff = await testerDiff(run);
    expect(diff).toContain('+two');
    expect(run.state.testerDiffAhead).toBeUndefined();
  });

  it('is read again when the tree changed since', async () => {
    const repo = await makeRepo({ 'a.txt': 'one\n' });
    await writeFile(path.join(repo, 'a.txt'), 'two\n');
    const run = await runIn(repo);
    readTesterDiffAhead(run);
    await writeFile(path.join(repo, 'a.txt'), 'three\n');
    await reread(run);
    const diff = await testerDiff(run);
    expect(diff).toContain('+three');
    expect(diff).not.toContain('+two');
  });
});
