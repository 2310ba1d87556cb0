/**
 * Splitting text into lines without losing track of where each line sits in the original string,
 * so edits (ticking a checkbox) can touch exactly one character and keep every other byte.
 */
import { detached } from '../util/detached.js';
import type { EolStyle } from './types.js';

export type LineEnding = '\n' | '\r\n' | '\r' | '';

export interface SourceLine {
  /** 1-based line number. */
  readonly number: number;
  /** Offset in the original text of the first content character (after the BOM on line 1). */
  readonly start: number;
  /** The line without its line ending (and without the BOM). */
  readonly content: string;
  readonly eol: LineEnding;
}

export const BOM = '\uFEFF';

/** Tab stops every 4 columns, as in CommonMark. */
const TAB_WIDTH = 4;

/**
 * Splits on LF, CRLF and lone CR (the three line endings CommonMark and common editors accept), so a
 * file with mixed endings gets the same line numbers an editor shows. A final line ending does not
 * start an extra empty line; an empty text has no lines. Each line is a string of its own, not a view
 * into `text`: what the run keeps of a task (its title, its phase) must not keep the whole file.
 */
export function splitLines(text: string): SourceLine[] {
  const lines: SourceLine[] = [];
  const breaks = /\r\n|\n|\r/g;
  let pos = text.startsWith(BOM) ? BOM.length : 0;
  while (pos < text.length) {
    breaks.lastIndex = pos;
    const match = breaks.exec(text);
    const number = lines.length + 1;
    if (match === null) {
      lines.push({ number, start: pos, content: detached(text.slice(pos)), eol: '' });
      break;
    }
    lines.push({ number, start: pos, content: detached(text.slice(pos, match.index)), eol: match[0] as LineEnding });
    pos = match.index + match[0].length;
  }
  return lines;
}

export function detectEolStyle(lines: readonly SourceLine[]): EolStyle {
  const seen = new Set<LineEnding>();
  for (const line of lines) if (line.eol !== '') seen.add(line.eol);
  if (seen.size === 0) return 'none';
  if (seen.size > 1) return 'mixed';
  const [only] = seen;
  return only === '\r\n' ? 'crlf' : only === '\r' ? 'cr' : 'lf';
}

export function isBlank(content: string): boolean {
  return /^[ \t]*$/.test(content);
}

/** Width in columns of the leading spaces and tabs. */
export function indentWidth(content: string): number {
  let columns = 0;
  for (const char of content) {
    if (char === ' ') columns += 1;
    else if (char === '\t') columns += TAB_WIDTH - (columns % TAB_WIDTH);
    else break;
  }
  return columns;
}

/**
 * Removes `columns` columns of leading whitespace. A tab that straddles the cut is replaced by the
 * spaces that remain of it, so the visible alignment of the rest of the line is unchanged.
 */
export function removeIndent(content: string, columns: number): string {
  let column = 0;
  let index = 0;
  while (index < content.length && column < columns) {
    const char = content[index];
    if (char === ' ') column += 1;
    else if (char === '\t') column += TAB_WIDTH - (column % TAB_WIDTH);
    else break;
    index += 1;
  }
  const overshoot = Math.max(0, column - columns);
  return ' '.repeat(overshoot) + content.slice(index);
}

/** Strips the common indentation of the non-blank lines; blank lines become empty strings. */
export function dedent(lines: readonly string[]): string[] {
  const widths = lines.filter((line) => !isBlank(line)).map(indentWidth);
  const common = widths.length === 0 ? 0 : Math.min(...widths);
  return lines.map((line) => (isBlank(line) ? '' : removeIndent(line, common)));
}
