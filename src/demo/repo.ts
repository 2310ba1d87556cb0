/**
 * The demo's git repository: a fresh directory (a temporary one, or an empty `--dir`), made into
 * a repo whose local settings shield it from the user's global git config, with the starting
 * project committed. A fresh machine may have no git identity at all, and a user's signing or
 * hooks would make the agent's commits prompt or fail, so all of that is set locally.
 */
import { mkdir, mkdtemp, readdir, realpath, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git } from '../workspace/git.js';

export class DemoDirError extends Error {}

/** A new temporary directory, or `dir` when it is empty or does not exist yet (then created). */
export async function prepareDemoDir(dir: string | undefined, cwd: string): Promise<string> {
  if (dir === undefined) return realpath(await mkdtemp(path.join(tmpdir(), 'pi-harness-demo-')));
  const target = path.resolve(cwd, dir);
  const info = await stat(target).catch(() => undefined);
  if (info && !info.isDirectory()) throw new DemoDirError(`--dir ${dir} exists and is not a directory`);
  if (info && (await readdir(target)).length > 0)
    throw new DemoDirError(`--dir ${dir} is not empty; give an empty or new directory`);
  await mkdir(target, { recursive: true });
  // The harness compares paths with git's view of the repo root, which resolves symlinks (macOS /tmp).
  return realpath(target);
}

/** Whether git can be run at all; the demo cannot do without it. */
export async function gitAvailable(): Promise<boolean> {
  return git(process.cwd(), ['--version']).then(
    () => true,
    () => false,
  );
}

const LOCAL_GIT_CONFIG: [string, string][] = [
  ['user.name', 'pi-harness demo'],
  ['user.email', 'demo@pi-harness.invalid'],
  ['commit.gpgsign', 'false'],
  // A path that does not exist: no hook from a global core.hooksPath or init template runs.
  ['core.hooksPath', '.git/no-hooks'],
  ['core.autocrlf', 'false'],
];

export async function createDemoRepo(dir: string, files: Record<string, string>, message: string): Promise<void> {
  await git(dir, ['init', '-q']);
  // Not `init -b main`: older gits lack it, and a global init.defaultBranch should not matter here.
  await git(dir, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
  for (const [key, value] of LOCAL_GIT_CONFIG) await git(dir, ['config', key, value]);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '--no-verify', '-m', message]);
}
