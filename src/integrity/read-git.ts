/**
 * What the integrity checks read from git and the work tree: the start commit's file listing,
 * file contents at the start (one `git cat-file --batch` for all of them) and now (from disk).
 * Everything is spawned with argument arrays and a time limit; nothing is written.
 *
 * What a commit or blob id names never changes, and an iteration asks for its start commit's
 * listing several times (the baseline, each check, the package manifest): the last few answers
 * are kept, bounded, so a long run holds no more than a short one.
 */
import { spawn } from 'node:child_process';
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { BoundedCache } from '../util/bounded-cache.js';
import { errorCode } from '../util/errors.js';
import { treeOfCommit } from '../workspace/commit-trees.js';
import { git } from '../workspace/git.js';
import { buildBaseline, type PassingVerification, type TestBaseline, type TreeBlob } from './baseline.js';
import type { FileChange, FileContent } from './types.js';

/** Files larger than this are compared by size only. */
export const DEFAULT_MAX_TEXT_BYTES = 2 * 1024 * 1024;
const CAT_FILE_TIMEOUT_MS = 60_000;
/** An iteration reads its start commit; the previous one's is kept for a check that straddles. */
const listings = new BoundedCache<string, readonly TreeBlob[]>(2);
/** Old contents of the files an iteration changed, read by each of its checks. */
const CACHED_BLOB_MAX_BYTES = 256 * 1024;
const blobCache = new BoundedCache<string, Buffer>(64);

/**
 * Every blob of a commit's tree (`git ls-tree -r -l -z`), or only `file` (and what is under it);
 * submodules and other non-blobs are left out.
 */
export async function readTreeBlobs(cwd: string, commit: string, file?: string): Promise<TreeBlob[]> {
  const all = await listings.getOrLoad(`${cwd}\0${commit}`, () => listTreeBlobs(cwd, commit));
  if (file === undefined) return [...all];
  return all.filter((blob) => blob.path === file || blob.path.startsWith(`${file}/`));
}

async function listTreeBlobs(cwd: string, commit: string): Promise<TreeBlob[]> {
  const output = await git(cwd, ['--literal-pathspecs', 'ls-tree', '-r', '-l', '-z', '--full-tree', commit]);
  const blobs: TreeBlob[] = [];
  for (const record of output.split('\0')) {
    // <mode> SP <type> SP <object> SP+ <size> TAB <path>
    const match = /^\d+ (\w+) ([0-9a-f]+) +(\d+|-)\t([\s\S]+)$/.exec(record);
    if (match === null || match[1] !== 'blob') continue;
    blobs.push({ path: match[4]!, blob: match[2]!, size: Number(match[3]) });
  }
  return blobs;
}

export interface RecordBaselineOptions {
  readonly cwd: string;
  /** The iteration's start commit; undefined on a branch without commits. */
  readonly commit: string | undefined;
  readonly testGlobs: readonly string[];
  /** The last passing verification, with the tree it ran on. */
  readonly lastPassing?: PassingVerification;
}

export async function recordTestBaseline(options: RecordBaselineOptions): Promise<TestBaseline> {
  const { cwd, commit } = options;
  // Two independent reads of one commit: side by side.
  const [blobs, tree] =
    commit === undefined ? [[], null] : await Promise.all([readTreeBlobs(cwd, commit), treeOfCommit(cwd, commit)]);
  return buildBaseline({
    commit: commit ?? null,
    tree,
    blobs,
    testGlobs: options.testGlobs,
    ...(options.lastPassing === undefined ? {} : { lastPassing: options.lastPassing }),
  });
}

function toContent(bytes: Buffer, maxTextBytes: number): FileContent {
  if (bytes.length > maxTextBytes || bytes.subarray(0, 8000).includes(0)) return { size: bytes.length };
  return { size: bytes.length, text: bytes.toString('utf8') };
}

/**
 * A copy in memory of its own: the batch's output buffer would otherwise stay alive behind a slice,
 * and so would Node's 64 KiB allocation pool behind `Buffer.from` (every small copy is a slice of
 * one) — 64 cached blobs could keep 4 MiB.
 */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** Reads blobs by object id: the small ones read before from the cache, the rest through one `git cat-file --batch`. */
export async function readBlobs(cwd: string, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const known = blobCache.get(`${cwd}\0${id}`);
    if (known === undefined) missing.push(id);
    else found.set(id, known);
  }
  for (const [id, bytes] of await catFileBatch(cwd, missing)) {
    if (bytes.length <= CACHED_BLOB_MAX_BYTES) blobCache.set(`${cwd}\0${id}`, ownCopy(bytes));
    found.set(id, bytes);
  }
  return found;
}

function catFileBatch(cwd: string, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return Promise.resolve(new Map());
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), CAT_FILE_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`git cat-file --batch failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no output'}`));
        return;
      }
      resolve(parseBatch(Buffer.concat(chunks)));
    });
    child.stdin.end(`${unique.join('\n')}\n`);
  });
}

/** `<id> <type> <size>\n<content>\n` records; `<id> missing` for unknown ids. */
function parseBatch(output: Buffer): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  let pos = 0;
  while (pos < output.length) {
    const newline = output.indexOf(0x0a, pos);
    if (newline === -1) break;
    const [id, type, size] = output.subarray(pos, newline).toString('utf8').split(' ');
    pos = newline + 1;
    if (type === 'missing' || size === undefined) continue;
    const length = Number(size);
    if (type === 'blob') blobs.set(id!, output.subarray(pos, pos + length));
    pos += length + 1;
  }
  return blobs;
}

/** A file as it is in the work tree now; undefined when it is absent (or a directory). */
async function readWorkTreeFile(cwd: string, file: string, maxTextBytes: number): Promise<FileContent | undefined> {
  const absolute = path.join(cwd, file);
  try {
    const stats = await lstat(absolute);
    if (stats.isSymbolicLink()) return toContent(Buffer.from(await readlink(absolute)), maxTextBytes);
    if (!stats.isFile()) return undefined;
    if (stats.size > maxTextBytes) return { size: stats.size };
    return toContent(await readFile(absolute), maxTextBytes);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

export interface ReadChangesOptions {
  readonly cwd: string;
  /** The iteration's start commit; undefined on a branch without commits (everything is new). */
  readonly startCommit: string | undefined;
  /** The paths the iteration changed (workspace/changes.ts iterationChanges().all). */
  readonly paths: readonly string[];
  readonly maxTextBytes?: number;
}

/** Each changed path with its content at the start commit and in the work tree now. */
export async function readIterationChanges(options: ReadChangesOptions): Promise<FileChange[]> {
  const maxTextBytes = options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  const startBlobs = options.startCommit === undefined ? [] : await readTreeBlobs(options.cwd, options.startCommit);
  const byPath = new Map(startBlobs.map((blob) => [blob.path, blob]));
  const wanted = options.paths.map((file) => byPath.get(file)).filter((blob) => blob !== undefined);
  const small = wanted.filter((blob) => blob.size <= maxTextBytes).map((blob) => blob.blob);
  const contents = await readBlobs(options.cwd, small);
  const changes: FileChange[] = [];
  for (const file of options.paths) {
    const blob = byPath.get(file);
    const bytes = blob === undefined ? undefined : contents.get(blob.blob);
    const before =
      blob === undefined ? undefined : bytes === undefined ? { size: blob.size } : toContent(bytes, maxTextBytes);
    const after = await readWorkTreeFile(options.cwd, file, maxTextBytes);
    changes.push({
      path: file,
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
    });
  }
  return changes;
}

/** One file's text at a commit (the root package.json at the start, say); undefined when absent or not text. */
export async function readTextAtCommit(
  cwd: string,
  commit: string | undefined,
  file: string,
): Promise<string | undefined> {
  if (commit === undefined) return undefined;
  const blob = (await readTreeBlobs(cwd, commit, file)).find((entry) => entry.path === file);
  if (blob === undefined) return undefined;
  const bytes = (await readBlobs(cwd, [blob.blob])).get(blob.blob);
  return bytes === undefined ? undefined : toContent(bytes, DEFAULT_MAX_TEXT_BYTES).text;
}
