/** The blob ids the snapshot computes itself must be git's own, in both object formats. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blobIdOfBytes, blobIdOfFile, formatOfId } from '../../../src/guardrails/snapshot/blob-id.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(format: 'sha1' | 'sha256'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pi-harness-blob-id-'));
  dirs.push(dir);
  execFileSync('git', ['init', '-q', `--object-format=${format}`, dir]);
  return dir;
}

const gitId = (cwd: string, file: string): string =>
  execFileSync('git', ['hash-object', '--no-filters', '--', file], { cwd, encoding: 'utf8' }).trim();

describe('blob ids', () => {
  for (const format of ['sha1', 'sha256'] as const) {
    it(`match git hash-object in a ${format} repository (empty, text, binary, large)`, async () => {
      const dir = repo(format);
      const contents = [Buffer.alloc(0), Buffer.from('#!/bin/sh\necho hi\r\n'), Buffer.from([0, 255, 10, 13, 0])];
      contents.push(Buffer.alloc(300_000, 'x'));
      for (const [i, bytes] of contents.entries()) {
        const file = path.join(dir, `f${i}`);
        writeFileSync(file, bytes);
        const id = gitId(dir, file);
        expect(formatOfId(id)).toBe(format);
        expect(await blobIdOfFile(file, format)).toBe(id);
        expect(blobIdOfBytes(bytes, format)).toBe(id);
      }
    });
  }
});
