/**
 * The ignored files present in a work tree, within limits: git lists them (ignored directories as
 * one entry), the skipped directory names are left alone, the rest is walked on disk. Files over
 * the limits are named but not kept.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { BoundedCache } from '../../util/bounded-cache.js';
import { git } from '../../workspace/git.js';
import type { SnapshotLimits, StoredFile } from './types.js';

export interface IgnoredListing {
  files: StoredFile[];
  unprotected: string[];
}

export async function listIgnoredFiles(
  repoRoot: string,
  limits: SnapshotLimits,
  harnessPaths: readonly string[],
): Promise<IgnoredListing> {
  const output = await git(repoRoot, ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory']);
  const skip = new Set(limits.skipDirs);
  const excluded = (relative: string) =>
    relative.split('/').some((segment) => skip.has(segment)) ||
    harnessPaths.some((own) => relative === own || relative.startsWith(`${own.replace(/\/$/, '')}/`));
  const paths: string[] = [];
  for (const entry of output.split('\0').filter(Boolean)) {
    const relative = entry.replace(/\/$/, '');
    if (excluded(relative)) continue;
    if (entry.endsWith('/')) await walk(repoRoot, relative, excluded, paths);
    else paths.push(relative);
  }
  return measure(repoRoot, [...new Set(paths)].sort(), limits);
}

async function walk(root: string, dir: string, excluded: (p: string) => boolean, out: string[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(path.join(root, dir));
  } catch {
    return;
  }
  for (const name of names) {
    const relative = `${dir}/${name}`;
    if (excluded(relative) || name === '.git') continue;
    const stats = await lstat(path.join(root, relative)).catch(() => undefined);
    if (stats?.isDirectory()) await walk(root, relative, excluded, out);
    else if (stats) out.push(relative);
  }
}

async function measure(root: string, paths: readonly string[], limits: SnapshotLimits): Promise<IgnoredListing> {
  const files: StoredFile[] = [];
  const unprotected: string[] = [];
  let total = 0;
  for (const relative of paths) {
    const absolute = path.join(root, relative);
    const stats = await lstat(absolute).catch(() => undefined);
    if (!stats) continue;
    if (stats.isSymbolicLink()) {
      files.push({ path: relative, mode: 0o777, symlink: await readlink(absolute) });
    } else if (!stats.isFile() || relative.includes('\n')) {
      unprotected.push(relative);
    } else if (stats.size > limits.maxFileBytes || total + stats.size > limits.maxTotalBytes) {
      unprotected.push(relative);
    } else {
      total += stats.size;
      files.push({ path: relative, mode: stats.mode & 0o777 });
    }
  }
  return { files, unprotected };
}

/** A file to store: where it is on disk, and the record that gets its blob id. */
export interface BlobSource {
  absolute: string;
  into: { blob?: string | null };
}

/**
 * Blob ids of files stored before, by path and what `lstat` said of the file then: git config,
 * hooks and ignored files seldom change between iterations, so most snapshots hash nothing.
 */
const storedBlobs = new BoundedCache<string, { stat: string; blob: string }>(1024);
/** A file changed less than this before it was hashed may change again unseen in the same tick. */
const RACY_MS = 2000;

/** What identifies the file's content without reading it, as git's index does: inode, size, times. */
const keyOf = (stats: BigIntStats) =>
  `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}:${stats.mode}`;

async function statKey(file: string): Promise<{ key: string; mtimeMs: number } | undefined> {
  const stats = await lstat(file, { bigint: true }).catch(() => undefined);
  if (!stats) return undefined;
  return { key: keyOf(stats), mtimeMs: Number(stats.mtimeMs) };
}

/**
 * The blob id stored for `file` when it is the same file as then (`stats`, its `lstat` now: inode,
 * size, times, mode), without reading it; undefined when it is not, or was not stored.
 */
export function rememberedBlobId(file: string, stats: BigIntStats): string | undefined {
  const known = storedBlobs.get(file);
  return known?.stat === keyOf(stats) ? known.blob : undefined;
}

/** Forgets every remembered blob id (their objects may have been pruned since). */
export function forgetStoredBlobs(): void {
  storedBlobs.clear();
}

/**
 * Stores the files' content as blobs (`hash-object -w`, no filters) in one git call, filling in
 * each record's `blob`; a file unchanged since it was stored keeps its blob id without a call.
 * Returns whether any id was taken from memory.
 */
export async function storeBlobs(repoRoot: string, sources: readonly BlobSource[]): Promise<boolean> {
  const toHash: { source: BlobSource; stat?: { key: string; mtimeMs: number } }[] = [];
  let remembered = false;
  for (const source of sources) {
    const stat = await statKey(source.absolute);
    const known = storedBlobs.get(source.absolute);
    if (stat && known?.stat === stat.key) {
      source.into.blob = known.blob;
      remembered = true;
    } else toHash.push({ source, ...(stat ? { stat } : {}) });
  }
  if (toHash.length === 0) return remembered;
  const hashedAt = Date.now();
  const input = toHash.map(({ source }) => source.absolute).join('\n');
  const ids = (await git(repoRoot, ['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: `${input}\n` }))
    .trim()
    .split('\n');
  toHash.forEach(({ source, stat }, i) => {
    source.into.blob = ids[i];
    // Kept only when the file had not changed within the racy window before it was hashed.
    if (stat && ids[i] && stat.mtimeMs < hashedAt - RACY_MS)
      storedBlobs.set(source.absolute, { stat: stat.key, blob: ids[i]! });
  });
  return remembered;
}

/** The regular files of `files` (paths relative to `base`) as blob sources; symlinks keep no blob. */
export function blobSources(files: StoredFile[], base: string): BlobSource[] {
  return files
    .filter((file) => file.symlink === undefined)
    .map((file) => ({ absolute: path.join(base, file.path), into: file }));
}
