import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  consecutiveChanges,
  editStrategyHints,
  rememberIteration,
  type RecentIteration,
} from '../../src/loop/recent-iterations.js';
import { countLines, largeFiles } from '../../src/loop/large-files.js';
import { tempDir } from '../helpers/temp-dir.js';

const entry = (iteration: number, files: string[]): RecentIteration => ({
  iteration,
  taskId: `t${iteration}`,
  status: 'succeeded',
  files,
});

describe('recent iterations', () => {
  it('keeps the last N entries', () => {
    let recent: RecentIteration[] = [];
    for (let i = 1; i <= 5; i++) recent = rememberIteration(recent, entry(i, []), 3);
    expect(recent.map((h) => h.iteration)).toEqual([3, 4, 5]);
  });

  it('counts a file changed in consecutive iterations', () => {
    const history = [entry(1, ['a.ts']), entry(2, ['b.ts']), entry(3, ['a.ts']), entry(4, ['a.ts', 'b.ts'])];
    expect(consecutiveChanges(history, 'a.ts')).toBe(2);
    expect(consecutiveChanges(history, 'b.ts')).toBe(1);
  });

  it('gives no hint within budget and escalating hints beyond it', () => {
    const streak = (n: number) => Array.from({ length: n }, (_, i) => entry(i + 1, ['big.ts']));
    expect(editStrategyHints(streak(2), 2)).toEqual([]);
    expect(editStrategyHints(streak(3), 2)[0]).toMatch(/small targeted edits/);
    expect(editStrategyHints(streak(4), 2)[0]).toMatch(/do not rewrite it/);
    expect(editStrategyHints(streak(5), 2)[0]).toMatch(/leave it unchanged/);
    expect(editStrategyHints(streak(9), 2)[0]).toMatch(/leave it unchanged/);
    expect(editStrategyHints([...streak(5), entry(6, ['other.ts'])], 2)).toEqual([]);
  });
});

describe('large files', () => {
  it('counts lines of text files and skips binary and missing ones', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'big.ts'), 'x\n'.repeat(600));
    await writeFile(path.join(dir, 'small.ts'), 'a\nb');
    await writeFile(path.join(dir, 'bin.dat'), Buffer.from([1, 0, 10, 10, 10]));
    expect(await countLines(path.join(dir, 'small.ts'))).toBe(2);
    expect(await largeFiles(dir, ['big.ts', 'small.ts', 'bin.dat', 'missing.ts'], 500)).toEqual([
      { path: 'big.ts', lines: 600 },
    ]);
  });
});
