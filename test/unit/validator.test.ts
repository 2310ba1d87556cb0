/**
 * The harness takes zod from util/validator.ts alone, where schemas are set to be checked without
 * being compiled first: a module importing zod directly could validate before that setting holds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { z } from '../../src/util/validator.js';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe('the validator', () => {
  it('checks schemas without compiling them', () => {
    expect(z.config().jitless).toBe(true);
    expect(ConfigSchema.safeParse({ maxIterations: 'many' }).success).toBe(false);
  });

  it('is where every module of the harness takes zod from', () => {
    const direct = sourceFiles(SRC)
      .filter((file) => /from ['"]zod(\/[^'"]*)?['"]/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    expect(direct).toEqual(['util/validator.ts']);
  });
});
