import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './temp-dir.js';

/** Identity for commits made in test repos, independent of the machine's git config. */
export const GIT_TEST_ENV = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.test',
};

export function gitSync(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_TEST_ENV } });
}

/** A temporary git repository on branch main with `files` committed. */
export async function makeRepo(files: Record<string, string> = { 'README.md': '# test\n' }): Promise<string> {
  const dir = await tempDir('pi-harness-repo-');
  gitSync(dir, 'init', '-q', '-b', 'main');
  gitSync(dir, 'config', 'user.name', 'Test Author');
  gitSync(dir, 'config', 'user.email', 'author@example.test');
  gitSync(dir, 'config', 'commit.gpgsign', 'false');
  await writeFiles(dir, files);
  gitSync(dir, 'add', '-A');
  gitSync(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}
