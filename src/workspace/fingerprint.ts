/**
 * A fingerprint of the whole work tree's content (tracked and untracked, .gitignore and
 * info/exclude respected): the tree hash git would write for it, computed in a scratch index of
 * the harness's own so the user's index is never touched. Two equal fingerprints mean no file
 * changed, which is how the loop tells whether an agent turn changed anything.
 *
 * The scratch index is kept between fingerprints of the same work tree: git's stat cache in it
 * spares hashing unchanged files again (untracked ones included), and the excluded paths, dropped
 * from it once, stay out. Two calls per fingerprint (`add -A`, `write-tree`) instead of four.
 */
import { rmSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git, gitPath } from './git.js';
import { OneAtATime } from '../util/one-at-a-time.js';

interface Scratch {
  dir: string;
  index: string;
  /** The excluded paths are out of it (it was made from the real index, which may have them). */
  made: boolean;
  /** Fingerprints of one work tree go one at a time: git locks the index while it writes it. */
  queue: OneAtATime;
}

/** Work trees with a scratch index; the least recently used goes when more are asked for. */
const MAX_SCRATCHES = 8;
const scratches = new Map<string, Scratch>();

function removeAll(): void {
  for (const scratch of scratches.values()) rmSync(scratch.dir, { recursive: true, force: true });
  scratches.clear();
}

async function scratchFor(key: string): Promise<Scratch> {
  const known = scratches.get(key);
  if (known) {
    scratches.delete(key);
    scratches.set(key, known);
    return known;
  }
  if (scratches.size === 0) process.once('exit', removeAll);
  const dir = await mkdtemp(path.join(tmpdir(), 'pi-harness-index-'));
  const scratch: Scratch = { dir, index: path.join(dir, 'index'), made: false, queue: new OneAtATime() };
  scratches.set(key, scratch);
  while (scratches.size > MAX_SCRATCHES) {
    const [oldestKey, oldest] = scratches.entries().next().value as [string, Scratch];
    scratches.delete(oldestKey);
    void oldest.queue.idle().then(() => rm(oldest.dir, { recursive: true, force: true }));
  }
  return scratch;
}

/** Starts the scratch index from a copy of the real one (its stat cache), the excluded paths dropped. */
async function makeScratch(scratch: Scratch, cwd: string, exclude: readonly string[], realIndex?: string) {
  const env = { ...process.env, GIT_INDEX_FILE: scratch.index };
  await rm(scratch.index, { force: true });
  await copyFile(realIndex ?? (await gitPath(cwd, 'index')), scratch.index).catch(() => undefined);
  if (exclude.length > 0)
    await git(cwd, ['rm', '--cached', '-q', '--ignore-unmatch', '--', ...exclude.map((file) => `:(literal)${file}`)], {
      env,
    });
  scratch.made = true;
}

async function fingerprintIn(scratch: Scratch, cwd: string, exclude: readonly string[], realIndex?: string) {
  const env = { ...process.env, GIT_INDEX_FILE: scratch.index };
  const add = () => git(cwd, ['add', '-A', '--', '.', ...exclude.map((file) => `:(exclude,literal)${file}`)], { env });
  if (!scratch.made) await makeScratch(scratch, cwd, exclude, realIndex);
  try {
    await add();
  } catch {
    // A scratch index gone or spoilt (a temp-file sweeper, a killed git's lock): made anew once.
    await rm(`${scratch.index}.lock`, { force: true });
    await makeScratch(scratch, cwd, exclude, realIndex);
    await add();
  }
  return (await git(cwd, ['write-tree'], { env })).trim();
}

/**
 * `exclude`: repo-relative paths left out (e.g. the task file, whose tick is not a product change).
 * `realIndex`: where git keeps the work tree's index, when the caller knows it already.
 */
export async function worktreeFingerprint(
  cwd: string,
  exclude: readonly string[] = [],
  realIndex?: string,
): Promise<string> {
  const scratch = await scratchFor(`${path.resolve(cwd)}\0${exclude.join('\0')}`);
  return scratch.queue.run(() => fingerprintIn(scratch, cwd, exclude, realIndex));
}
