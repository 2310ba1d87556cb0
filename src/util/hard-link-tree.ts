/**
 * Copies a folder as hard links: every directory made anew, every file linked to the same inode
 * (no bytes copied, no disk used), every symlink re-made with its own target (relative links, like
 * `node_modules/.bin`'s, keep working). Where a hard link is refused — another file system, a
 * platform without them — the file is copied instead.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';

export interface LinkedTree {
  files: number;
  /** Files copied because a hard link was refused. */
  copied: number;
}

async function linkOrCopy(from: string, to: string, counts: LinkedTree): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP') throw error;
    await copyFile(from, to, constants.COPYFILE_FICLONE);
    counts.copied += 1;
  }
  counts.files += 1;
}

/** `from`'s content under `to` (which must not exist yet). */
export async function hardLinkTree(from: string, to: string): Promise<LinkedTree> {
  const counts: LinkedTree = { files: 0, copied: 0 };
  const pending: [string, string][] = [[from, to]];
  while (pending.length > 0) {
    const [source, target] = pending.pop()!;
    await mkdir(target);
    for (const entry of await readdir(source, { withFileTypes: true })) {
      const [s, t] = [path.join(source, entry.name), path.join(target, entry.name)];
      if (entry.isDirectory()) pending.push([s, t]);
      else if (entry.isSymbolicLink()) await symlink(await readlink(s), t);
      else if (entry.isFile()) await linkOrCopy(s, t, counts);
      // Sockets, FIFOs and devices have no place in a dependency folder: left out.
    }
  }
  return counts;
}
