/**
 * Read errors that cannot be produced for real in every environment (tests often run as root, where
 * permissions never deny a read), simulated by failing readFile.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadTaskFile, TaskFileError } from '../../../src/tasks/index.js';

const failure = vi.hoisted(() => ({ code: undefined as string | undefined }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    readFile: async (...args: Parameters<typeof actual.readFile>) => {
      if (failure.code !== undefined)
        throw Object.assign(new Error(`${failure.code}: simulated`), { code: failure.code });
      return actual.readFile(...args);
    },
  };
});

let path: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pi-harness-tasks-'));
  path = join(dir, 'TODOS.md');
  await writeFile(path, '- [ ] a\n');
});

afterAll(async () => {
  failure.code = undefined;
  await rm(join(path, '..'), { recursive: true, force: true });
});

describe('loadTaskFile read failures', () => {
  it.each([
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['EIO', 'EIO: simulated'],
  ])('maps %s to an unreadable error', async (code, reason) => {
    failure.code = code;
    const error: unknown = await loadTaskFile(path).catch((caught: unknown) => caught);
    failure.code = undefined;
    expect(error).toBeInstanceOf(TaskFileError);
    expect(error).toMatchObject({ code: 'unreadable', path, message: `cannot read task file ${path}: ${reason}` });
    expect((error as Error).cause).toMatchObject({ code });
  });

  it('maps a file deleted between stat and read to not-found', async () => {
    failure.code = 'ENOENT';
    const error: unknown = await loadTaskFile(path).catch((caught: unknown) => caught);
    failure.code = undefined;
    expect(error).toMatchObject({ code: 'not-found' });
  });

  it('reads normally when nothing fails', async () => {
    expect((await loadTaskFile(path)).text).toBe('- [ ] a\n');
  });
});
