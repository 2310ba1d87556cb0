/**
 * The id git gives a file's bytes as a blob (`git hash-object --no-filters`), computed here: the
 * snapshot compares the hooks, git's config files and the ignored files against their stored blobs
 * before every commit and at every iteration's end, and one git process per file made that the
 * largest share of the harness's own git calls (a dozen sample hooks per check).
 *
 * git hashes "blob <size>\0" followed by the bytes, with the repository's object format: SHA-1,
 * or SHA-256 in a repository made with `--object-format=sha256`. The stored id says which.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';

export type ObjectFormat = 'sha1' | 'sha256';

/** The object format an id of this repository is written in (40 or 64 hex digits). */
export function formatOfId(id: string | null | undefined): ObjectFormat {
  return id?.length === 64 ? 'sha256' : 'sha1';
}

/** The blob id of a regular file's bytes as they are now. */
export async function blobIdOfFile(file: string, format: ObjectFormat): Promise<string> {
  const { size } = await lstat(file);
  const hash = createHash(format).update(`blob ${size}\0`);
  let read = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    read += chunk.length;
    hash.update(chunk);
  }
  // A file that changed size while read: hash what was read, so the id still names those bytes.
  if (read !== size) return blobIdOfBytes(await readAll(file), format);
  return hash.digest('hex');
}

export function blobIdOfBytes(bytes: Buffer, format: ObjectFormat): string {
  return createHash(format).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

async function readAll(file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
