/**
 * Reading and writing the task file on disk. Reads fail with a TaskFileError that says what to do;
 * writes are atomic so a crash (or a concurrent reader such as the developer's editor) never sees a
 * half-written TODOS.md.
 */
import { isUtf8 } from 'node:buffer';
import { chmod, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeTempFile } from '../util/atomic-file.js';
import { errorCode } from '../util/errors.js';
import { TaskFileError } from './errors.js';
import { parseTasks } from './parse.js';
import type { TaskFile } from './types.js';

export interface LoadedTaskFile {
  /** Absolute path that was read. */
  readonly path: string;
  /** The file's exact text, BOM included, so edits can be written back byte for byte. */
  readonly text: string;
  readonly file: TaskFile;
}

export async function loadTaskFile(path: string): Promise<LoadedTaskFile> {
  const absolute = resolve(path);
  const bytes = await readTaskFileBytes(absolute);
  const text = decodeUtf8(bytes, absolute);
  return { path: absolute, text, file: parseTasks(text) };
}

/**
 * Writes to a temporary file next to the target, flushes it, then renames it over the target
 * (rename within one directory is atomic). Keeps the existing file's permission bits, and when the
 * path is a symlink replaces the file it points to rather than the link.
 */
export async function writeTaskFileAtomic(path: string, text: string): Promise<void> {
  const target = await followSymlinks(resolve(path));
  const mode = await existingMode(target);
  let temp: string | undefined;
  try {
    // The task file's directory is the user's: a missing one is an error, never created.
    temp = await writeTempFile(target, text, mode ?? 0o666, false);
    // open() applies the umask; restore the original bits exactly.
    if (mode !== undefined) await chmod(temp, mode);
    await rename(temp, target);
  } catch (error) {
    if (temp) await unlink(temp).catch(() => undefined);
    throw new TaskFileError('write-failed', `cannot write task file ${target}: ${describeFsError(error)}`, {
      path: target,
      cause: error,
    });
  }
}

async function readTaskFileBytes(path: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      const what = info.isDirectory() ? 'a directory' : 'not a regular file';
      throw new TaskFileError(
        'not-a-file',
        `task file path is ${what}: ${path} — it must be a Markdown file such as TODOS.md`,
        {
          path,
        },
      );
    }
    return await readFile(path);
  } catch (error) {
    if (error instanceof TaskFileError) throw error;
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new TaskFileError('not-found', `task file not found: ${path} — create it or run \`pi-harness init\``, {
        path,
        cause: error,
      });
    }
    if (code === 'EISDIR') {
      throw new TaskFileError(
        'not-a-file',
        `task file path is a directory: ${path} — it must be a Markdown file such as TODOS.md`,
        {
          path,
          cause: error,
        },
      );
    }
    throw new TaskFileError('unreadable', `cannot read task file ${path}: ${describeFsError(error)}`, {
      path,
      cause: error,
    });
  }
}

function decodeUtf8(bytes: Buffer, path: string): string {
  if (!isUtf8(bytes)) {
    const line = firstInvalidUtf8Line(bytes);
    throw new TaskFileError(
      'invalid-utf8',
      `task file is not valid UTF-8: ${path} (first invalid bytes on line ${line}) — re-save it as UTF-8`,
      { path, line },
    );
  }
  // ignoreBOM keeps a leading BOM in the text, so writing the text back reproduces the file.
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Line numbering matches splitLines (LF, CRLF and lone CR end a line). CR and LF bytes never occur
 * inside a multi-byte UTF-8 sequence, so each line can be checked on its own.
 */
function firstInvalidUtf8Line(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  for (let index = 0; index <= bytes.length; index++) {
    const byte = bytes[index];
    if (index < bytes.length && byte !== LF && byte !== CR) continue;
    if (!isUtf8(bytes.subarray(start, index))) return line;
    if (byte === CR && bytes[index + 1] === LF) index += 1;
    start = index + 1;
    line += 1;
  }
  return line;
}

async function followSymlinks(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path; // Does not exist yet (or a dangling link): write the path as given.
  }
}

async function existingMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

function describeFsError(error: unknown): string {
  switch (errorCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'the path is a directory';
    case 'ENOENT':
      return 'the directory does not exist';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
