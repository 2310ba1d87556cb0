/**
 * Files the harness must never leave half-written: a temporary file in the same directory is
 * written, flushed and renamed over the target (rename within one directory is atomic), so a
 * crash leaves either the old content or the new, never a mix. A file that cannot be read back is
 * moved aside and reported — never silently reset or overwritten — so nothing it held is lost.
 */
import { randomBytes } from 'node:crypto';
import { constants, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { copyFile, link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errorCode } from './errors.js';

/** A unique temporary name next to `file` (same directory, so rename stays atomic). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * The synchronous, unflushed form: write a temporary file next to `file`, rename it over. For files
 * that can always be made again — what a journal listener derives from the journal (it must be
 * done before the next event is appended), and the copies of the state and the run lock for
 * people and tools (the files they copy are flushed). `createDirectory`: make `file`'s directory
 * first (an agent may have removed the runtime directory).
 */
export function writeFileAtomicSync(file: string, data: string, options: { createDirectory?: boolean } = {}): void {
  if (options.createDirectory) mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempPathFor(file);
  writeFileSync(temp, data);
  renameSync(temp, file);
}

/** Flushes a directory entry change (a rename) to disk; some filesystems refuse, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort: the rename itself is already atomic
  }
}

/**
 * Writes `data` to a fresh temporary file next to `file` and flushes it; returns its path. The
 * directory is created unless `createDirectory` is false (a missing one is then an error).
 */
export async function writeTempFile(
  file: string,
  data: string | Uint8Array,
  mode = 0o644,
  createDirectory = true,
): Promise<string> {
  if (createDirectory) await mkdir(path.dirname(file), { recursive: true });
  const temp = tempPathFor(file);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Replaces `file` with `data` atomically (temp file + fsync + rename). Creates the directory. */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const temp = await writeTempFile(file, data, options.mode);
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/**
 * Moves `file` to `<file>.<label>-<timestamp>` without ever overwriting an existing file (a second
 * corrupt file in the same millisecond gets a counter). Returns the new path.
 */
export async function moveAside(file: string, label: string, now: Date = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (let n = 0; n < 1000; n++) {
    const target = `${file}.${label}-${stamp}${n === 0 ? '' : `-${n}`}`;
    try {
      // link fails with EEXIST instead of replacing: an earlier copy is never clobbered.
      await link(file, target);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
      // A filesystem without hard links: an exclusive copy gives the same guarantee.
      try {
        await copyFile(file, target, constants.COPYFILE_EXCL);
      } catch (copyError) {
        if (errorCode(copyError) === 'EEXIST') continue;
        throw copyError;
      }
    }
    await unlink(file);
    return target;
  }
  throw new Error(`cannot find a free name to move ${file} aside`);
}

export type ReadJsonResult<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'missing' }
  /** The file could not be parsed or validated; it now lives at `movedTo`. */
  | { kind: 'corrupt'; movedTo: string; reason: string };

/**
 * Reads and validates a JSON file. `validate` returns the typed value or throws with a reason.
 * A file that is not JSON, or not valid, is moved aside (`<file>.corrupt-<timestamp>`).
 */
export async function readJsonFile<T>(file: string, validate: (value: unknown) => T): Promise<ReadJsonResult<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
    throw error; // unreadable (permissions, a directory): not ours to move
  }
  let reason: string;
  try {
    return { kind: 'ok', value: validate(JSON.parse(text) as unknown) };
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  const movedTo = await moveAside(file, 'corrupt');
  return { kind: 'corrupt', movedTo, reason };
}
