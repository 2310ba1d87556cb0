/**
 * A fingerprint of the whole work tree's content (tracked and untracked, .gitignore and
 * info/exclude respected): the tree hash git would write for it, computed with a throw-away
 * index so the user's index is never touched. Two equal fingerprints mean no file changed, which
 * is how the loop tells whether an agent turn changed anything.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git, gitPath } from './git.js';

/**
 * `exclude`: repo-relative paths left out (e.g. the task file, whose tick is not a product change).
 * `realIndex`: where git keeps the work tree's index, when the caller knows it already.
 */
export async function worktreeFingerprint(
  cwd: string,
  exclude: readonly string[] = [],
  realIndex?: string,
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pi-harness-index-'));
  const index = path.join(dir, 'index');
  const env = { ...process.env, GIT_INDEX_FILE: index };
  try {
    // Starting from a copy of the real index lets git reuse its stat cache instead of hashing
    // every file of a large repository again.
    await copyFile(realIndex ?? (await gitPath(cwd, 'index')), index).catch(() => undefined);
    await git(cwd, ['add', '-A', '--', '.', ...exclude.map((file) => `:(exclude,literal)${file}`)], { env });
    // An excluded path still has its entry from the copied real index, which goes stale when an
    // agent stages it; drop it so only the other files decide the fingerprint.
    if (exclude.length > 0)
      await git(
        cwd,
        ['rm', '--cached', '-q', '--ignore-unmatch', '--', ...exclude.map((file) => `:(literal)${file}`)],
        { env },
      );
    return (await git(cwd, ['write-tree'], { env })).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
