/**
 * A shell word as a command will receive it, as far as the guard can know: literal text, variables
 * whose values are known (assigned earlier in the same command line, or in pi's environment), `~`;
 * anything else leaves the word unknown. Paths get brace and glob expansion against the disk, so
 * `rm -rf .gi*` is seen to touch `.git`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ShellWord } from '../shell/types.js';

export interface Arg {
  /** The word's value, or undefined when only the shell can know it. */
  text: string | undefined;
  /** How to show the word in a message. */
  display: string;
  /** Unquoted `*`, `?` or `[`: the shell expands it against the disk. */
  glob: boolean;
}

export type VariableLookup = (name: string) => string | undefined;

export function evalWord(word: ShellWord, lookup: VariableLookup, home: string | undefined): Arg {
  let text: string | undefined = '';
  let display = '';
  let glob = false;
  for (const part of word.parts) {
    if (part.kind === 'literal') {
      display += part.text;
      if (!part.quoted && /[*?[]/.test(part.text)) glob = true;
      if (text !== undefined) text += part.text;
    } else if (part.kind === 'param') {
      const value = lookup(part.name);
      display += value ?? `$${part.name}`;
      text = text === undefined || value === undefined ? undefined : text + value;
    } else if (part.kind === 'tilde') {
      const value = part.user === '' ? home : undefined;
      display += `~${part.user}`;
      text = text === undefined || value === undefined ? undefined : text + value;
    } else {
      display += part.source;
      text = undefined;
    }
  }
  return { text, display, glob };
}

export function literalArg(text: string): Arg {
  return { text, display: text, glob: false };
}

const MAX_EXPANSIONS = 256;

/** `a{b,c}d` → `abd`, `acd` (comma lists only; nested lists work; at most 256 results). */
export function expandBraces(text: string): string[] {
  const open = findBraceList(text);
  if (!open) return [text];
  const { start, end, options } = open;
  const results: string[] = [];
  for (const option of options) {
    for (const expanded of expandBraces(text.slice(0, start) + option + text.slice(end + 1))) {
      if (results.length >= MAX_EXPANSIONS) return results;
      results.push(expanded);
    }
  }
  return results;
}

function findBraceList(text: string): { start: number; end: number; options: string[] } | undefined {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    for (let i = start; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) {
        if (commas.length === 0) break;
        const cuts = [start, ...commas, i];
        return { start, end: i, options: cuts.slice(1).map((cut, n) => text.slice((cuts[n] ?? 0) + 1, cut)) };
      } else if (text[i] === ',' && depth === 1) commas.push(i);
    }
  }
  return undefined;
}

/** The files an absolute glob pattern names on disk now (the pattern itself when none match). */
export function expandGlob(pattern: string): string[] {
  const segments = pattern.split('/');
  let bases = [segments[0] === '' ? '/' : segments[0]!];
  for (const segment of segments.slice(1)) {
    if (segment === '') continue;
    if (!/[*?[]/.test(segment)) {
      bases = bases.map((base) => path.join(base, segment));
      continue;
    }
    const re = globSegment(segment);
    bases = bases.flatMap((base) => {
      try {
        return readdirSync(base)
          .filter((name) => re.test(name) && (segment.startsWith('.') || !name.startsWith('.')))
          .map((name) => path.join(base, name));
      } catch {
        return [];
      }
    });
    if (bases.length > MAX_EXPANSIONS) bases = bases.slice(0, MAX_EXPANSIONS);
  }
  return bases.length > 0 ? bases : [pattern];
}

function globSegment(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) source += '\\[';
      else {
        source += `[${segment
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** Every absolute path a path argument can stand for, or undefined when unknown. */
export function pathCandidates(arg: Arg, cwd: string | undefined): string[] | undefined {
  if (arg.text === undefined) return undefined;
  const texts = expandBraces(arg.text);
  if (texts.some((text) => !path.isAbsolute(text)) && cwd === undefined) return undefined;
  return texts.flatMap((text) => {
    const absolute = path.resolve(cwd ?? '/', text);
    return arg.glob ? expandGlob(absolute) : [absolute];
  });
}
