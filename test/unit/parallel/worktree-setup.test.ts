/**
 * A new parallel worktree gets the main work tree's installed dependencies (ignored folders) as
 * hard-linked copies git does not see, and the user's setup command runs in it; a failing command
 * stops with its output.
 */
import { lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/schema.js';
import { prepareWorktree, WorktreeSetupError, type WorktreeSetup } from '../../../src/parallel/worktree-setup.js';
import { addWorktree, worktreesRoot } from '../../../src/parallel/worktrees.js';
import { gitSync, makeRepo } from '../../helpers/git-repo.js';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** A repository whose .gitignore ignores `node_modules/` (directories only), with a dependency installed. */
async function repoWithDependencies(): Promise<{ repo: string; worktree: string }> {
  const repo = await makeRepo({ '.gitignore': 'node_modules/\n', 'package.json': '{"name":"p"}\n' });
  roots.push(repo, worktreesRoot(repo));
  mkdirSync(path.join(repo, 'node_modules', 'dep', 'lib'), { recursive: true });
  writeFileSync(path.join(repo, 'node_modules', 'dep', 'lib', 'index.js'), 'module.exports = 42;\n');
  mkdirSync(path.join(repo, 'node_modules', '.bin'));
  symlinkSync('../dep/lib/index.js', path.join(repo, 'node_modules', '.bin', 'dep'));
  mkdirSync(path.join(repo, 'scratch'));
  writeFileSync(path.join(repo, 'scratch', 'notes.txt'), 'not ignored\n');
  const worktree = path.join(worktreesRoot(repo), 'run', 'w1');
  await addWorktree({ repoRoot: repo, dir: worktree, base: gitSync(repo, 'rev-parse', 'HEAD').trim() });
  return { repo, worktree };
}

const setupOf = (repo: string, worktree: string, more: Partial<WorktreeSetup> = {}): WorktreeSetup => ({
  repoRoot: repo,
  dir: worktree,
  dependencies: ['node_modules'],
  command: '',
  timeoutSeconds: 30,
  env: process.env,
  ...more,
});

describe('preparing a parallel worktree', () => {
  it('copies an ignored dependency folder as hard links, its symlinks kept, and git sees no change', async () => {
    const { repo, worktree } = await repoWithDependencies();
    const prepared = await prepareWorktree(setupOf(repo, worktree));
    expect(prepared.copied).toEqual([{ folder: 'node_modules', files: 1 }]);
    const file = (root: string) => path.join(root, 'node_modules', 'dep', 'lib', 'index.js');
    // The same inode: no bytes copied.
    expect(statSync(file(worktree)).ino).toBe(statSync(file(repo)).ino);
    const bin = path.join(worktree, 'node_modules', '.bin', 'dep');
    expect(lstatSync(bin).isSymbolicLink()).toBe(true);
    expect(readlinkSync(bin)).toBe('../dep/lib/index.js');
    expect(readFileSync(bin, 'utf8')).toBe('module.exports = 42;\n');
    // A symlinked folder would show here as "?? node_modules": the copy is a real, ignored folder.
    expect(gitSync(worktree, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  it('leaves out a folder git does not ignore, one that is missing, and one the checkout has', async () => {
    const { repo, worktree } = await repoWithDependencies();
    const prepared = await prepareWorktree(
      setupOf(repo, worktree, { dependencies: ['scratch', '.venv', 'node_modules'] }),
    );
    await expect(prepareWorktree(setupOf(repo, worktree))).resolves.toMatchObject({
      copied: [],
      skipped: [{ folder: 'node_modules', why: 'already in the worktree' }],
    });
    expect(prepared.skipped).toEqual([
      { folder: 'scratch', why: 'not ignored by git (the agents would see it as a change)' },
      { folder: '.venv', why: 'not in the work tree' },
    ]);
    expect(gitSync(worktree, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  it('runs the setup command in the worktree, after the copy', async () => {
    const { repo, worktree } = await repoWithDependencies();
    const prepared = await prepareWorktree(
      setupOf(repo, worktree, { command: 'pwd > setup-ran.txt && ls node_modules/dep >> setup-ran.txt' }),
    );
    expect(prepared.commandMs).toBeGreaterThanOrEqual(0);
    expect(readFileSync(path.join(worktree, 'setup-ran.txt'), 'utf8').split('\n').slice(0, 2)).toEqual([
      worktree,
      'lib',
    ]);
  });

  it('stops with the command, its exit code and the end of its output when the setup command fails', async () => {
    const { repo, worktree } = await repoWithDependencies();
    const failing = prepareWorktree(setupOf(repo, worktree, { command: 'echo "npm ERR! no lockfile" >&2; exit 3' }));
    await expect(failing).rejects.toBeInstanceOf(WorktreeSetupError);
    await expect(failing).rejects.toThrow(
      /worktreeSetupCommand `echo .*` failed \(exit 3\) in .*:\nnpm ERR! no lockfile/,
    );
  });
});

describe('the worktree settings', () => {
  it('default to copying node_modules and no command', () => {
    const config = ConfigSchema.parse({});
    expect(config.worktreeDependencies).toEqual(['node_modules']);
    expect(config.worktreeSetupCommand).toBe('');
  });

  it('refuse a folder outside the repository or inside .git, naming it', () => {
    for (const entry of ['../other/node_modules', '/abs/node_modules', 'a/../../b', '.git/hooks']) {
      const parsed = ConfigSchema.safeParse({ worktreeDependencies: ['node_modules', entry] });
      expect(parsed.success, entry).toBe(false);
      expect(parsed.error?.issues[0]).toMatchObject({ path: ['worktreeDependencies', 1] });
      expect(parsed.error?.issues[0]?.message).toContain(`"${entry}" is not a folder inside the repository`);
    }
  });
});
