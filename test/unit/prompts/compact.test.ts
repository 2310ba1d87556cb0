import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROMPT_CAPS,
  capLines,
  capList,
  cleanOutput,
  limit,
  stripAnsi,
  truncateLine,
} from '../../../src/prompts/index.js';
import { numberedLines } from './fixture.js';

/** True when the string has no lone surrogate (would not survive a UTF-8 round trip). */
function wellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

describe('capLines', () => {
  it('keeps the last N lines after an "earlier lines omitted" note', () => {
    const { text, omitted } = capLines(numberedLines(100), 40, { keep: 'tail' });
    const lines = text.split('\n');
    expect(omitted).toBe(60);
    expect(lines).toHaveLength(41);
    expect(lines[0]).toBe('… 60 earlier lines omitted');
    expect(lines.slice(1)).toEqual(Array.from({ length: 40 }, (_, i) => `line ${60 + i}`));
  });

  it('keeps the first N lines before a "more lines omitted" note', () => {
    const { text, omitted } = capLines(numberedLines(44), 32, { keep: 'head' });
    const lines = text.split('\n');
    expect(omitted).toBe(12);
    expect(lines.slice(0, 32)).toEqual(Array.from({ length: 32 }, (_, i) => `line ${i}`));
    expect(lines[32]).toBe('… 12 more lines omitted');
    expect(lines).toHaveLength(33);
  });

  it('says "line" for a single omitted line', () => {
    expect(capLines(numberedLines(3), 2, { keep: 'tail' }).text.split('\n')[0]).toBe('… 1 earlier line omitted');
    expect(capLines(numberedLines(3), 2, { keep: 'head' }).text.split('\n')[2]).toBe('… 1 more line omitted');
  });

  it('leaves text within the cap alone (no note), and a trailing newline does not count as a line', () => {
    expect(capLines('a\nb\n', 2, { keep: 'tail' })).toEqual({ text: 'a\nb', omitted: 0 });
    expect(capLines('a\nb\n', 2, { keep: 'head' })).toEqual({ text: 'a\nb', omitted: 0 });
  });

  it('returns the input untouched when the limit is infinite (full mode)', () => {
    const input = `${numberedLines(500)}\r\n\r\n`;
    expect(capLines(input, Number.POSITIVE_INFINITY, { keep: 'tail' })).toEqual({ text: input, omitted: 0 });
  });
});

describe('capList', () => {
  it('keeps the first N items and names what was left out', () => {
    const files = Array.from({ length: 13 }, (_, i) => `src/f${i}.ts`);
    const capped = capList(files, 10, 'file');
    expect(capped.items).toEqual(files.slice(0, 10));
    expect(capped.omitted).toBe(3);
    expect(capped.note).toBe('… 3 more files omitted');
    expect(capList(files, 12, 'file').note).toBe('… 1 more file omitted');
  });

  it('adds no note within the cap or without one', () => {
    expect(capList(['a', 'b'], 2)).toEqual({ items: ['a', 'b'], omitted: 0, note: undefined });
    expect(capList(['a', 'b', 'c'], Number.POSITIVE_INFINITY).items).toEqual(['a', 'b', 'c']);
  });
});

describe('limit', () => {
  it('is the configured cap in compact mode and infinite in full mode', () => {
    expect(limit(DEFAULT_PROMPT_CAPS, 'maxVerificationExcerptLines')).toBe(40);
    expect(limit({ ...DEFAULT_PROMPT_CAPS, promptMode: 'full' }, 'maxVerificationExcerptLines')).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('truncateLine', () => {
  it('never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(300); // 600 UTF-16 units
    for (const max of [1, 2, 3, 399, 400, 401]) {
      const cut = truncateLine(emoji, max);
      expect(wellFormed(cut)).toBe(true);
      expect(cut).toMatch(/ … \[\d+ more chars\]$/);
    }
    expect(truncateLine(emoji, 3).startsWith('😀 …')).toBe(true);
  });

  it('leaves short lines alone', () => {
    expect(truncateLine('short ✓', 400)).toBe('short ✓');
  });
});

describe('stripAnsi / cleanOutput', () => {
  it('removes colour, cursor, hyperlink and charset escapes and keeps the text', () => {
    const coloured =
      '\u001b[1m\u001b[31mFAIL\u001b[39m\u001b[22m test/a.test.ts \u001b[2K\u001b[1G' +
      '\u001b]8;;https://example.com\u0007link\u001b]8;;\u0007 \u001b(Bdone\u0007';
    const stripped = stripAnsi(coloured);
    expect(stripped).toBe('FAIL test/a.test.ts link done');
    expect(stripped).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/);
  });

  it('resolves carriage-return redraws, trailing spaces and runs of blank lines', () => {
    const output = '\n\nprogress 10%\rprogress 50%\rprogress 100%\r\nresult   \n\n\n\n\nsummary\r\n\n';
    expect(cleanOutput(output)).toBe('progress 100%\nresult\n\nsummary');
  });

  it('drops the replacement character a byte-capped tail leaves at its start', () => {
    expect(cleanOutput('\uFFFDrest of line\nnext')).toBe('rest of line\nnext');
  });

  it('keeps multi-byte text intact', () => {
    expect(cleanOutput('\u001b[32m✓ 核心 🚀 ünïcödé\u001b[0m')).toBe('✓ 核心 🚀 ünïcödé');
  });
});
