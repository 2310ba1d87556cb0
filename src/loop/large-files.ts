/**
 * Large-file and large-spec warnings. Agents edit big files badly (they rewrite, truncate or lose
 * their place), and a huge task or instruction file eats every prompt's budget: both are worth
 * telling the agent and the user about.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { LargeFileWarning } from '../vocabulary/files.js';

const MAX_BYTES_SCANNED = 16 * 1024 * 1024;

/** Line count of a text file; undefined for a missing, binary or huge file. */
export async function countLines(file: string): Promise<number | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    if (size > MAX_BYTES_SCANNED) return undefined;
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    if (buffer.includes(0)) return undefined; // binary
    let lines = 0;
    for (const byte of buffer) if (byte === 0x0a) lines += 1;
    return size > 0 && buffer[size - 1] !== 0x0a ? lines + 1 : lines;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** Repo-relative `files` longer than `threshold` lines. */
export async function largeFiles(
  repoRoot: string,
  files: readonly string[],
  threshold: number,
): Promise<LargeFileWarning[]> {
  const warnings: LargeFileWarning[] = [];
  for (const file of files) {
    const lines = await countLines(path.join(repoRoot, file));
    if (lines !== undefined && lines > threshold) warnings.push({ path: file, lines });
  }
  return warnings;
}
