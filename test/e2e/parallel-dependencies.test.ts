/**
 * `run --parallel` in a repository whose tests need installed dependencies (an ignored
 * node_modules): each worker's worktree and the merge queue's get them, so the test command passes
 * there as in the work tree; a setup command that fails stops the run with its output, nothing lost.
 * The real CLI and pi, a scripted model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournalFile } from '../../src/journal/read.js';
import { isMergeTreeName } from '../../src/parallel/merge-trees.js';
import { listWorktrees, worktreesRoot } from '../../src/parallel/worktrees.js';
import type { TurnView } from '../../src/scripted-model/index.js';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { journalsOf } from '../helpers/harness-home.js';
import { loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

const NAMES = ['alpha', 'beta', 'gamma'];
const TASKS = `# Tasks\n\n${NAMES.map((name) => `- [ ] Add ${name}\n`).join('')}`;
const nameIn = (view: TurnView) => NAMES.find((name) => view.prompt.includes(`Add ${name}`)) ?? 'alpha';
/** The test command needs the installed dependency: it fails wherever node_modules is missing. */
const TEST_COMMAND = `node -e "require('left-pad-ish')"`;

async function repoWithDependency(config: Record<string, unknown>) {
  const r = await setup({
    tasks: TASKS,
    files: { '.gitignore': 'node_modules/\n' },
    config: { parallel: 2, testCommand: TEST_COMMAND, ...config },
    plans: {
      developer: [(view) => [write(`${nameIn(view)}.txt`, 'x\n'), say('Done.')][view.step] ?? say('Done.')],
      tester: [() => say('Checked.\n\nVERDICT: PASS')],
    },
  });
  roots.push(worktreesRoot(r.repo));
  mkdirSync(path.join(r.repo, 'node_modules', 'left-pad-ish'), { recursive: true });
  writeFileSync(path.join(r.repo, 'node_modules', 'left-pad-ish', 'index.js'), 'module.exports = 1;\n');
  return r;
}

async function eventsOf(repo: string) {
  return (await journalsOf(repo)).flatMap((journal) => readJournalFile(journal).events);
}

describe('run --parallel with installed dependencies', () => {
  it("copies the work tree's node_modules into every worktree, so the tests pass there", {
    timeout: 180_000,
  }, async () => {
    const r = await repoWithDependency({});
    const result = await r.run('run');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(gitSync(r.repo, 'ls-files').split('\n')).toEqual(
      expect.arrayContaining(['alpha.txt', 'beta.txt', 'gamma.txt']),
    );
    // Nothing of node_modules was committed: the copies are as ignored as the original.
    expect(gitSync(r.repo, 'log', '--name-only', '--format=')).not.toContain('node_modules');
    const events = await eventsOf(r.repo);
    const prepared = events.filter((e) => e.type === 'worktree_prepared');
    // Two workers' worktrees and the merge queue's (a second one when a merge waited behind another),
    // each made once.
    const names = prepared.map((e) => (e.type === 'worktree_prepared' ? e.worker : ''));
    expect(names.filter((name) => !isMergeTreeName(name)).sort()).toEqual(['w1', 'w2']);
    const queueTrees = names.filter(isMergeTreeName);
    expect(queueTrees).toContain('merge');
    expect(new Set(queueTrees).size).toBe(queueTrees.length);
    for (const e of prepared) expect(e).toMatchObject({ copied: ['node_modules'], files: 1 });
    const verifications = events.filter((e) => e.type === 'verification');
    expect(verifications.length).toBeGreaterThanOrEqual(3);
    expect(verifications.every((e) => e.type === 'verification' && e.outcome === 'passed')).toBe(true);
    expect(await listWorktrees(r.repo)).toHaveLength(1);
  });

  it('stops the run when the setup command fails, naming it with its output, and keeps nothing behind', {
    timeout: 180_000,
  }, async () => {
    const r = await repoWithDependency({ worktreeSetupCommand: 'echo "cannot install: offline" >&2; exit 7' });
    gitSync(r.repo, 'add', '-A');
    const result = await r.run('run');
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/worktreeSetupCommand `echo .*` failed \(exit 7\)/);
    expect(result.stdout + result.stderr).toContain('cannot install: offline');
    const events = await eventsOf(r.repo);
    // No agent turn was spent on a worktree that could not run the tests.
    expect(events.filter((e) => e.type === 'turn_start')).toHaveLength(0);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    expect(await listWorktrees(r.repo)).toHaveLength(1);
    expect(gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/heads/pi-harness/')).toBe('');
  });
});
