import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniffImageMime } from '../../../src/visual/image-type.js';
import { pathShapeProblem, validateCapture } from '../../../src/visual/manifest.js';
import { solidPng } from '../../helpers/png.js';
import { tempDir } from '../../helpers/temp-dir.js';

async function captureDir(files: Record<string, string | Buffer>, manifest?: unknown): Promise<string> {
  const dir = await tempDir('pi-harness-capture-');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  if (manifest !== undefined)
    await writeFile(
      path.join(dir, 'manifest.json'),
      typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
    );
  return dir;
}

const problemsOf = async (dir: string) => {
  const check = await validateCapture(dir);
  return check.ok ? [] : check.problems;
};

describe('image sniffing', () => {
  it('recognises PNG, JPEG and WebP by content, and nothing else', () => {
    expect(sniffImageMime(solidPng(2, 2))).toBe('image/png');
    expect(sniffImageMime(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniffImageMime(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffImageMime(Buffer.from('<html>not found</html>'))).toBeUndefined();
    expect(sniffImageMime(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('the capture manifest', () => {
  it('accepts screens with relative paths to real images, in order, label defaulting to the id', async () => {
    const dir = await captureDir(
      { 'home.png': solidPng(3, 2), 'shots/settings.png': solidPng(2, 2) },
      {
        screens: [
          { id: 'home', label: 'Home page', path: 'home.png' },
          { id: 'settings', path: 'shots/settings.png' },
        ],
      },
    );
    const check = await validateCapture(dir);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.screens.map(({ id, label, mimeType }) => ({ id, label, mimeType }))).toEqual([
      { id: 'home', label: 'Home page', mimeType: 'image/png' },
      { id: 'settings', label: 'settings', mimeType: 'image/png' },
    ]);
    expect(check.screens[0]!.bytes).toBe(solidPng(3, 2).length);
  });

  it('names a missing image by its id and path', async () => {
    const dir = await captureDir(
      { 'home.png': solidPng(2, 2) },
      {
        screens: [
          { id: 'home', label: 'Home', path: 'home.png' },
          { id: 'ghost', label: 'Ghost', path: 'ghost.png' },
        ],
      },
    );
    expect(await problemsOf(dir)).toEqual(['screen "ghost" (ghost.png): image file not found']);
  });

  it('reports every problem at once: not an image, empty, duplicate id', async () => {
    const dir = await captureDir(
      { 'a.png': '<html>502 Bad Gateway</html>', 'b.png': '', 'c.png': solidPng(1, 1) },
      {
        screens: [
          { id: 'a', label: '', path: 'a.png' },
          { id: 'b', label: '', path: 'b.png' },
          { id: 'a', label: '', path: 'c.png' },
        ],
      },
    );
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^screen "a" \(a\.png\): not a PNG, JPEG or WebP image/);
    expect(problems[1]).toBe('screen "b" (b.png): the image file is empty');
    expect(problems[2]).toBe('screen "a" (c.png): the id is used by an earlier screen too');
  });

  it('refuses paths that leave the capture dir: absolute, "..", or a symlink pointing out', async () => {
    const outside = await tempDir('pi-harness-outside-');
    await writeFile(path.join(outside, 'secret.png'), solidPng(1, 1));
    const dir = await captureDir(
      {},
      {
        screens: [
          { id: 'abs', label: '', path: path.join(outside, 'secret.png') },
          { id: 'up', label: '', path: '../secret.png' },
          { id: 'link', label: '', path: 'link.png' },
        ],
      },
    );
    await symlink(path.join(outside, 'secret.png'), path.join(dir, 'link.png'));
    const problems = await problemsOf(dir);
    expect(problems[0]).toMatch(/^screen "abs" .*: the path is absolute/);
    expect(problems[1]).toMatch(/^screen "up" \(\.\.\/secret\.png\): the path uses "\.\."/);
    expect(problems[2]).toMatch(
      /^screen "link" \(link\.png\): the path resolves \(through a symlink\) to a file outside/,
    );
  });

  it('accepts a symlink that stays inside the capture dir', async () => {
    const dir = await captureDir(
      { 'real/home.png': solidPng(2, 2) },
      { screens: [{ id: 'home', label: 'Home', path: 'home.png' }] },
    );
    await symlink(path.join(dir, 'real/home.png'), path.join(dir, 'home.png'));
    expect((await validateCapture(dir)).ok).toBe(true);
  });

  it('says what is wrong with a missing, malformed or misshapen manifest', async () => {
    expect(await problemsOf(await captureDir({}))).toEqual([
      expect.stringMatching(/^the capture command wrote no manifest\.json in /),
    ]);
    expect(await problemsOf(await captureDir({}, '{"screens": ['))).toEqual([
      expect.stringMatching(/^manifest\.json is not valid JSON/),
    ]);
    expect(await problemsOf(await captureDir({}, { screens: [] }))).toEqual([
      'manifest.json screens: expected at least one screen',
    ]);
    expect(await problemsOf(await captureDir({}, { pages: [] }))).toEqual([
      expect.stringMatching(/^manifest\.json screens: /),
    ]);
    expect(await problemsOf(await captureDir({}, { screens: [{ id: '', path: 'a.png' }, { id: 'b' }] }))).toEqual([
      'manifest.json screens[0].id: expected a non-empty id',
      expect.stringMatching(/^manifest\.json screens\[1\]\.path: /),
    ]);
  });

  it('path shapes', () => {
    expect(pathShapeProblem('a/b.png')).toBeUndefined();
    expect(pathShapeProblem('./a..b.png')).toBeUndefined();
    expect(pathShapeProblem('/etc/passwd')).toMatch(/absolute/);
    expect(pathShapeProblem('C:\\x.png')).toMatch(/absolute/);
    expect(pathShapeProblem('a/../../b.png')).toMatch(/\.\./);
    expect(pathShapeProblem('a\\..\\b.png')).toMatch(/\.\./);
  });
});
