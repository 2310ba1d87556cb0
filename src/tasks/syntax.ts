/**
 * Recognizers for the few Markdown line shapes the task file cares about. Each works on one line's
 * content (no line ending). Structure spanning lines (fences, nesting) lives in parse.ts.
 */
import { indentWidth } from './lines.js';

/**
 * `- [ ] text`, `* [x] text`, `+ [X] text`, `1. [ ] text`, `1) [ ] text`, at any indentation.
 * The checkbox must be followed by whitespace or the end of the line (GFM's rule), so `- [ ]text`
 * and `-[ ] text` are not tasks. Groups: 1 indentation + list marker + spacing, 2 mark, 3 rest.
 * The `s` flag lets `.` match U+2028 / U+2029, which are ordinary characters in Markdown.
 */
const TASK_LINE = /^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)\[([ xX])\](?:[ \t]+(.*))?$/s;

export interface TaskLineMatch {
  /** Offset within the line of the character between the brackets. */
  readonly markIndex: number;
  readonly done: boolean;
  /** Text after the checkbox, trimmed; may be empty (callers decide what an empty task means). */
  readonly text: string;
}

export function matchTaskLine(content: string): TaskLineMatch | undefined {
  const match = TASK_LINE.exec(content);
  if (match === null) return undefined;
  const [, prefix = '', mark = ' ', rest = ''] = match;
  return { markIndex: prefix.length + 1, done: mark !== ' ', text: rest.trim() };
}

/** Headings may be indented by at most 3 columns; 4 or more would make an indented code block. */
const MAX_HEADING_INDENT = 3;

/**
 * `## Title ##` gives `Title`: the opening `#`s, the optional closing `#` run (which must be
 * preceded by whitespace, so `# C#` keeps its `#`) and surrounding whitespace are removed.
 */
export function matchAtxHeading(content: string): string | undefined {
  if (indentWidth(content) > MAX_HEADING_INDENT) return undefined;
  const match = /^#{1,6}(?:[ \t]+(.*))?$/s.exec(content.trimStart());
  if (match === null) return undefined;
  const body = (match[1] ?? '').trim();
  return body.replace(/(?:^|[ \t]+)#+$/, '').trim();
}

/** `===` or `---` under a paragraph line turns that paragraph into a heading (setext heading). */
export function isSetextUnderline(content: string): boolean {
  return indentWidth(content) <= MAX_HEADING_INDENT && /^(?:=+|-+)[ \t]*$/.test(content.trimStart());
}

export interface FenceOpening {
  readonly char: '`' | '~';
  readonly length: number;
}

/** Opening code fence: 3+ backticks or tildes; a backtick fence's info string may not contain a backtick. */
export function matchFenceOpening(content: string): FenceOpening | undefined {
  const match = /^(`{3,}|~{3,})(.*)$/s.exec(content.trimStart());
  if (match === null) return undefined;
  const [, run = '', info = ''] = match;
  const char = run[0] === '`' ? '`' : '~';
  if (char === '`' && info.includes('`')) return undefined;
  return { char, length: run.length };
}

/** Closing fence: same character, at least as long as the opening, nothing but whitespace after it. */
export function closesFence(content: string, fence: FenceOpening): boolean {
  const match = /^(`{3,}|~{3,})[ \t]*$/.exec(content.trimStart());
  if (match === null) return false;
  const run = match[1] ?? '';
  return run[0] === fence.char && run.length >= fence.length;
}

/** An HTML block starting with `<!--` runs up to the first line containing `-->` (CommonMark HTML block type 2). */
export function opensHtmlComment(content: string): boolean {
  return content.trimStart().startsWith('<!--');
}

export function closesHtmlComment(content: string): boolean {
  return content.includes('-->');
}

/** Lines that start a block of their own and therefore can never be part of a setext heading's text. */
export function startsOtherBlock(content: string): boolean {
  const trimmed = content.trimStart();
  return (
    /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/.test(trimmed) || // list item
    trimmed.startsWith('>') || // blockquote
    /^(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|(?:-[ \t]*){3,})$/.test(trimmed) || // thematic break
    trimmed.startsWith('|') // table row
  );
}
