import { chmod, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadTaskFile,
  TaskFileError,
  tickTask,
  writeTaskFileAtomic,
  type TaskFileErrorCode,
} from '../../../src/tasks/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pi-harness-tasks-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectRejection(promise: Promise<unknown>, code: TaskFileErrorCode): Promise<TaskFileError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TaskFileError);
  expect((error as TaskFileError).code).toBe(code);
  return error as TaskFileError;
}

const isRoot = process.getuid?.() === 0;

describe('loadTaskFile', () => {
  it('returns the exact text (BOM and CRLF kept) and the parsed tasks', async () => {
    const path = join(dir, 'TODOS.md');
    const text = '\uFEFF# Phase\r\n- [ ] 实现 🚀\r\n';
    await writeFile(path, text, 'utf8');
    const loaded = await loadTaskFile(path);
    expect(loaded.text).toBe(text);
    expect(loaded.path).toBe(path);
    expect(loaded.file.tasks).toMatchObject([{ line: 2, text: '实现 🚀', phase: 'Phase' }]);
    expect(loaded.file.hasBom).toBe(true);
  });

  it('resolves a relative path to an absolute one', async () => {
    const path = join(dir, 'TODOS.md');
    await writeFile(path, '- [ ] a\n');
    const loaded = await loadTaskFile(relative(process.cwd(), path));
    expect(loaded.path).toBe(path);
  });

  it('explains a missing file and points at pi-harness init', async () => {
    const path = join(dir, 'TODOS.md');
    const error = await expectRejection(loadTaskFile(path), 'not-found');
    expect(error.message).toBe(`task file not found: ${path} — create it or run \`pi-harness init\``);
    expect(error.path).toBe(path);
  });

  it('treats a path through a regular file as not found', async () => {
    await writeFile(join(dir, 'file'), '');
    await expectRejection(loadTaskFile(join(dir, 'file', 'TODOS.md')), 'not-found');
  });

  it('rejects a directory', async () => {
    const path = join(dir, 'TODOS.md');
    await mkdir(path);
    const error = await expectRejection(loadTaskFile(path), 'not-a-file');
    expect(error.message).toBe(`task file path is a directory: ${path} — it must be a Markdown file such as TODOS.md`);
  });

  it.skipIf(process.platform === 'win32')('rejects a special file such as a device', async () => {
    const error = await expectRejection(loadTaskFile('/dev/null'), 'not-a-file');
    expect(error.message).toBe(
      'task file path is not a regular file: /dev/null — it must be a Markdown file such as TODOS.md',
    );
  });

  it('rejects invalid UTF-8 and names the first bad line', async () => {
    const path = join(dir, 'TODOS.md');
    const bytes = Buffer.concat([Buffer.from('- [ ] ok\r\n- [ ] caf'), Buffer.from([0xe9]), Buffer.from(' latin-1\n')]);
    await writeFile(path, bytes);
    const error = await expectRejection(loadTaskFile(path), 'invalid-utf8');
    expect(error.line).toBe(2);
    expect(error.message).toBe(
      `task file is not valid UTF-8: ${path} (first invalid bytes on line 2) — re-save it as UTF-8`,
    );
  });

  it('rejects a UTF-8 sequence cut off at the end of the file', async () => {
    const path = join(dir, 'TODOS.md');
    await writeFile(path, Buffer.concat([Buffer.from('- [ ] a\r- [ ] b\n- [ ] '), Buffer.from('🚀').subarray(0, 2)]));
    expect((await expectRejection(loadTaskFile(path), 'invalid-utf8')).line).toBe(3);
  });

  it.skipIf(isRoot)('explains an unreadable file', async () => {
    const path = join(dir, 'TODOS.md');
    await writeFile(path, '- [ ] a\n');
    await chmod(path, 0o000);
    const error = await expectRejection(loadTaskFile(path), 'unreadable');
    expect(error.message).toBe(`cannot read task file ${path}: permission denied`);
  });
});

describe('writeTaskFileAtomic', () => {
  it('writes the text byte for byte and leaves no temporary file behind', async () => {
    const path = join(dir, 'TODOS.md');
    await writeFile(path, 'old');
    const text = '\uFEFF- [x] 实现\r\n- [ ] no newline at end  ';
    await writeTaskFileAtomic(path, text);
    expect(await readFile(path)).toEqual(Buffer.from(text, 'utf8'));
    expect(await readdir(dir)).toEqual(['TODOS.md']);
  });

  it('creates the file when it does not exist', async () => {
    const path = join(dir, 'NEW.md');
    await writeTaskFileAtomic(path, '- [ ] a\n');
    expect(await readFile(path, 'utf8')).toBe('- [ ] a\n');
  });

  it('keeps the permission bits of the existing file', async () => {
    const path = join(dir, 'TODOS.md');
    await writeFile(path, '- [ ] a\n');
    await chmod(path, 0o640);
    await writeTaskFileAtomic(path, '- [x] a\n');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it('writes through a symlink to its target and keeps the link', async () => {
    const target = join(dir, 'real.md');
    const link = join(dir, 'TODOS.md');
    await writeFile(target, '- [ ] a\n');
    await symlink(target, link);
    await writeTaskFileAtomic(link, '- [x] a\n');
    expect(await readFile(target, 'utf8')).toBe('- [x] a\n');
    expect(await readlink(link)).toBe(target);
  });

  it('fails with write-failed, and cleans up, when the directory is missing', async () => {
    const path = join(dir, 'missing', 'TODOS.md');
    const error = await expectRejection(writeTaskFileAtomic(path, 'x'), 'write-failed');
    expect(error.message).toBe(`cannot write task file ${path}: the directory does not exist`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails with write-failed when the path is a directory, leaving it alone', async () => {
    const path = join(dir, 'TODOS.md');
    await mkdir(path);
    await expectRejection(writeTaskFileAtomic(path, 'x'), 'write-failed');
    expect(await readdir(dir)).toEqual(['TODOS.md']);
    expect((await stat(path)).isDirectory()).toBe(true);
  });

  it('round-trips load → tick → write with exactly one byte changed', async () => {
    const path = join(dir, 'TODOS.md');
    const original = Buffer.from('\uFEFF# 阶段\r\n- [ ] 🚀 first\t \r\n  - note\r\n- [ ] second', 'utf8');
    await writeFile(path, original);
    const { text, file } = await loadTaskFile(path);
    const second = file.tasks[1];
    if (second === undefined) throw new Error('unreachable');
    await writeTaskFileAtomic(path, tickTask(text, second));
    const written = await readFile(path);
    expect(written.length).toBe(original.length);
    const changed = [...written.keys()].filter((index) => written[index] !== original[index]);
    expect(changed).toHaveLength(1);
    expect(written.toString('utf8')).toBe('\uFEFF# 阶段\r\n- [ ] 🚀 first\t \r\n  - note\r\n- [x] second');
  });
});
