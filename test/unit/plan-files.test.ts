import { describe, expect, it } from 'vitest';
import { choosePlanFiles } from '../../src/loop/plan-files.js';

describe('choosePlanFiles', () => {
  const root = '/repo';
  const own = ['a.ts', 'src/b.ts', 'src/deep/c.ts', 'TODOS.md'];

  it('keeps only the iteration’s own changes, whatever the spelling of the path', () => {
    expect(choosePlanFiles(root, ['./a.ts', 'src/../a.ts', '/repo/src/b.ts', 'src//b.ts'], own)).toEqual({
      files: ['a.ts', 'src/b.ts'],
      refused: [],
    });
  });

  it('refuses a file the iteration did not change (a pre-dirty one) and paths outside the repository', () => {
    expect(choosePlanFiles(root, ['sub/../notes.txt', '../outside.txt', '/etc/passwd'], own)).toEqual({
      files: [],
      refused: [
        { entry: 'sub/../notes.txt', why: expect.stringContaining('not changed by this iteration') },
        { entry: '../outside.txt', why: 'outside the repository' },
        { entry: '/etc/passwd', why: 'outside the repository' },
      ],
    });
  });

  it('takes a directory as the iteration’s changes inside it, never more', () => {
    expect(choosePlanFiles(root, ['src/', 'src/deep'], own).files).toEqual(['src/b.ts', 'src/deep/c.ts']);
    expect(choosePlanFiles(root, ['.'], own).files).toEqual(own);
  });
});
