/**
 * Cap and clean helpers, applied the same way to every handoff. Prompt bytes cost time on local
 * models, so handoffs are capped by line count (the max*Lines settings) and stripped of bytes a model cannot use
 * (colour codes, spinner redraws, runs of blank lines). `promptMode: 'full'` lifts the caps: the
 * builders then pass `Infinity` as the limit and the cap helpers return their input untouched.
 * Cleaning is lossless for meaning, so it applies in both modes.
 */
import { lastLines } from '../verify/tail-buffer.js';
import type { PromptCaps } from './types.js';

type CapKey = Exclude<keyof PromptCaps, 'promptMode'>;

/** The effective limit of one cap: the configured value, or Infinity in `full` mode. */
export function limit(caps: PromptCaps, key: CapKey): number {
  return caps.promptMode === 'full' ? Number.POSITIVE_INFINITY : caps[key];
}

/**
 * Longest handoff line kept in compact mode. Minified bundles or one-line JSON dumps in test output
 * can be tens of kilobytes on one line; their start is what identifies them.
 */
export const MAX_HANDOFF_LINE_CHARS = 400;

export function lineLimit(caps: PromptCaps): number {
  return caps.promptMode === 'full' ? Number.POSITIVE_INFINITY : MAX_HANDOFF_LINE_CHARS;
}

export interface CappedText {
  /** The kept lines, with the omission note (if any) on its own line where lines were dropped. */
  text: string;
  omitted: number;
}

export interface CapLinesOptions {
  /** `tail` for command output (errors and summaries are at the end), `head` for prose. */
  keep: 'head' | 'tail';
}

/** "… 3 more files omitted": the note every capped list and head-capped text ends with. */
export function omissionNote(omitted: number, noun: string, where: 'more' | 'earlier' = 'more'): string {
  return `… ${omitted} ${where} ${noun}${omitted === 1 ? '' : 's'} omitted`;
}

/**
 * At most `max` lines of `text`, plus a note saying how many were left out ("… 12 more lines
 * omitted" after a head, "… 60 earlier lines omitted" before a tail). Lines are never cut here.
 */
export function capLines(text: string, max: number, options: CapLinesOptions): CappedText {
  if (!Number.isFinite(max)) return { text, omitted: 0 };
  const keep = Math.max(0, Math.floor(max));
  if (options.keep === 'tail') {
    const { lines, omitted } = lastLines(text, keep);
    if (omitted === 0) return { text: lines.join('\n'), omitted };
    return { text: [omissionNote(omitted, 'line', 'earlier'), ...lines].join('\n'), omitted };
  }
  const all = text.replace(/\r\n/g, '\n').split('\n');
  if (all.at(-1) === '') all.pop();
  if (all.length <= keep) return { text: all.join('\n'), omitted: 0 };
  const omitted = all.length - keep;
  return { text: [...all.slice(0, keep), omissionNote(omitted, 'line')].join('\n'), omitted };
}

export interface CappedList<T> {
  items: T[];
  omitted: number;
  /** "… 3 more files omitted", or undefined when nothing was dropped. */
  note: string | undefined;
}

/** The first `max` items; `noun` names one item in the note ("file" → "… 3 more files omitted"). */
export function capList<T>(items: readonly T[], max: number, noun = 'item'): CappedList<T> {
  if (!Number.isFinite(max) || items.length <= max) return { items: [...items], omitted: 0, note: undefined };
  const keep = Math.max(0, Math.floor(max));
  const omitted = items.length - keep;
  return { items: items.slice(0, keep), omitted, note: omissionNote(omitted, noun) };
}

/**
 * Shortens one line to at most `maxChars` UTF-16 units without splitting a surrogate pair (an
 * emoji or other astral character is kept whole or dropped whole, never half-encoded).
 */
export function truncateLine(line: string, maxChars: number): string {
  if (!Number.isFinite(maxChars) || line.length <= maxChars) return line;
  let cut = Math.max(0, Math.floor(maxChars));
  const last = line.charCodeAt(cut - 1);
  if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${line.slice(0, cut)} … [${line.length - cut} more chars]`;
}

export function truncateLongLines(text: string, maxChars: number): string {
  if (!Number.isFinite(maxChars)) return text;
  return text
    .split('\n')
    .map((line) => truncateLine(line, maxChars))
    .join('\n');
}

/**
 * ANSI/VT escape sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks), DCS/SOS/PM/APC
 * strings, charset selections and other two-byte escapes, and the 8-bit CSI.
 */
const ANSI =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[ -/]+[0-~]|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]|\u001b/g;
/** C0 controls other than tab, LF and CR, and DEL: bells, backspaces, NULs. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, '');
}

/**
 * A line a terminal would redraw with carriage returns (progress bars, spinners) shows only its
 * last non-empty segment; that is all the model needs to see.
 */
function resolveCarriageReturns(line: string): string {
  if (!line.includes('\r')) return line;
  const segments = line.split('\r').filter((segment) => segment !== '');
  return segments.at(-1) ?? '';
}

/** Runs of blank lines become one; leading and trailing blank lines go. */
export function collapseBlankLines(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
}

/**
 * Makes captured command output fit for a prompt: no escape codes or control bytes, redrawn
 * lines resolved, no trailing spaces, no runs of blank lines. A U+FFFD at the very start is the
 * remains of a multi-byte character the tail buffer cut in half, and goes too.
 */
export function cleanOutput(text: string): string {
  const lines = stripAnsi(text.replace(/\r\n/g, '\n')).split('\n').map(resolveCarriageReturns);
  return collapseBlankLines(lines.join('\n')).replace(/^\uFFFD+/, '');
}
