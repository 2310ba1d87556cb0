/**
 * The position in the text a shell parser reads, and the word-level reading it shares: quotes,
 * escapes and `$` expansions. Command substitutions inside a word are handed back to the parser
 * (`substitute`), which parses them as scripts of their own.
 */
import { ShellParseError, type ShellWord, type WordPart } from './types.js';

/** Characters that end an unquoted word. */
const WORD_END = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Substituter {
  /** Parses `$( … )` starting at the cursor (just past the `(`), up to and including its `)`. */
  substituteHere(): void;
  /** Parses a whole script (the text of a backtick substitution or a here-document body). */
  substituteText(text: string, kind: 'script' | 'double-quoted'): void;
}

export class Cursor {
  readonly src: string;
  pos = 0;

  constructor(src: string) {
    this.src = src;
  }

  get done(): boolean {
    return this.pos >= this.src.length;
  }

  peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  startsWith(text: string): boolean {
    return this.src.startsWith(text, this.pos);
  }

  fail(message: string): never {
    throw new ShellParseError(`${message} (at character ${this.pos + 1})`);
  }

  /** Skips spaces, tabs and backslash-newline continuations; not newlines. */
  skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && this.peek(1) === '\n') this.pos += 2;
      else return;
    }
  }

  atWordEnd(): boolean {
    return this.done || WORD_END.has(this.peek());
  }

  /** Reads one unquoted-or-quoted word up to the next unquoted blank or operator. */
  readWord(sub: Substituter): ShellWord {
    const word = new WordBuilder();
    if (this.peek() === '~') this.readTilde(word);
    while (!this.atWordEnd()) {
      const c = this.peek();
      if (c === '\\') this.readEscape(word);
      else if (c === "'") word.literal(this.readSingleQuoted(), true);
      else if (c === '"') this.readDoubleQuoted(word, sub);
      else if (c === '`') word.dynamic(this.readBacktick(sub));
      else if (c === '$') this.readDollar(word, sub);
      else if (this.peek(1) === '(' && '@!+*?'.includes(c)) word.literal(this.readBalanced(1), false);
      else {
        word.literal(c, false);
        this.pos++;
        if (c === '=' && this.peek() === '(' && NAME.test(word.text().slice(0, -1).replace(/\+$/, ''))) {
          word.dynamic(this.readBalanced(0)); // an array assignment: name=( … )
        }
      }
    }
    return word.build();
  }

  private readTilde(word: WordBuilder): void {
    const match = /^~([A-Za-z0-9._-]*)/.exec(this.src.slice(this.pos));
    const user = match?.[1] ?? '';
    const next = this.src[this.pos + 1 + user.length] ?? '';
    if (next !== '/' && next !== '' && !WORD_END.has(next)) return; // `~x$y`: not a tilde prefix
    this.pos += 1 + user.length;
    word.tilde(user);
  }

  private readEscape(word: WordBuilder): void {
    const next = this.peek(1);
    this.pos += 2;
    if (next === '\n') return;
    if (next === '') this.fail('a backslash ends the command');
    word.literal(next, true);
  }

  readSingleQuoted(): string {
    const end = this.src.indexOf("'", this.pos + 1);
    if (end < 0) this.fail('unterminated single quote');
    const text = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return text;
  }

  /** `"…"`: literal text, `\` escapes of `$ \` " \\` and newline, and `$`/backtick expansions. */
  readDoubleQuoted(word: WordBuilder, sub: Substituter): void {
    this.pos++;
    this.readDoubleQuotedBody(word, sub, '"');
    if (this.peek() !== '"') this.fail('unterminated double quote');
    this.pos++;
  }

  /** Reads up to (not including) `end`, or to the end of the text when `end` is empty. */
  readDoubleQuotedBody(word: WordBuilder, sub: Substituter, end: string): void {
    while (!this.done && this.peek() !== end) {
      const c = this.peek();
      if (c === '\\' && '$`"\\\n'.includes(this.peek(1)) && this.peek(1) !== '') {
        if (this.peek(1) !== '\n') word.literal(this.peek(1), true);
        this.pos += 2;
      } else if (c === '`') word.dynamic(this.readBacktick(sub));
      else if (c === '$') this.readDollar(word, sub, true);
      else {
        word.literal(c, true);
        this.pos++;
      }
    }
  }

  readBacktick(sub: Substituter): string {
    const start = this.pos;
    let inner = '';
    this.pos++;
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('unterminated backtick');
      if (c === '`') break;
      if (c === '\\' && '$`\\'.includes(this.peek(1))) {
        inner += this.peek(1);
        this.pos += 2;
      } else {
        inner += c;
        this.pos++;
      }
    }
    this.pos++;
    sub.substituteText(inner, 'script');
    return this.src.slice(start, this.pos);
  }

  private readDollar(word: WordBuilder, sub: Substituter, quoted = false): void {
    const start = this.pos;
    const next = this.peek(1);
    if (next === '(' && this.peek(2) === '(') {
      word.dynamic(this.readBalanced(1));
    } else if (next === '(') {
      this.pos += 2;
      sub.substituteHere();
      word.dynamic(this.src.slice(start, this.pos));
    } else if (next === '{') {
      this.readBraced(word, sub);
    } else if (next === "'" && !quoted) {
      this.pos++;
      word.literal(decodeAnsiC(this.readSingleQuoted()), true);
    } else if (next === '"' && !quoted) {
      this.pos++;
      this.readDoubleQuoted(word, sub);
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos + 1))?.[0];
      if (name) {
        this.pos += 1 + name.length;
        word.param(name);
      } else if (next !== '' && '0123456789@*#?$!-'.includes(next)) {
        this.pos += 2;
        word.dynamic(this.src.slice(start, this.pos));
      } else {
        this.pos++;
        word.literal('$', quoted);
      }
    }
  }

  /** `${…}`: a plain `${NAME}` is a variable; anything else is only known to the shell. */
  private readBraced(word: WordBuilder, sub: Substituter): void {
    const start = this.pos;
    const body = this.readBalanced(1, '{', '}').slice(2, -1);
    if (NAME.test(body)) word.param(body);
    else {
      // `${x:-$(cmd)}` still runs cmd: parse what the braces hold for substitutions.
      sub.substituteText(body, 'double-quoted');
      word.dynamic(this.src.slice(start, this.pos));
    }
  }

  /**
   * Reads from the cursor (the opening bracket is `offset` characters ahead) to its matching
   * closing bracket, honouring quotes, and returns the text read.
   */
  readBalanced(offset: number, open = '(', close = ')'): string {
    const start = this.pos;
    this.pos += offset + 1;
    let depth = 1;
    while (depth > 0) {
      const c = this.peek();
      if (c === '') this.fail(`unterminated ${open}`);
      if (c === '\\') this.pos += 2;
      else if (c === "'") this.readSingleQuoted();
      else if (c === '"') this.skipDoubleQuoted();
      else {
        if (c === open) depth++;
        else if (c === close) depth--;
        this.pos++;
      }
    }
    return this.src.slice(start, this.pos);
  }

  private skipDoubleQuoted(): void {
    this.pos++;
    while (!this.done && this.peek() !== '"') this.pos += this.peek() === '\\' ? 2 : 1;
    if (this.done) this.fail('unterminated double quote');
    this.pos++;
  }

  /** Reads to the end of the current line and past its newline; returns the line. */
  readLine(): string {
    const end = this.src.indexOf('\n', this.pos);
    const line = this.src.slice(this.pos, end < 0 ? this.src.length : end);
    this.pos = end < 0 ? this.src.length : end + 1;
    return line;
  }
}

export class WordBuilder {
  private readonly parts: WordPart[] = [];

  literal(text: string, quoted: boolean): void {
    const last = this.parts.at(-1);
    if (last?.kind === 'literal' && last.quoted === quoted) last.text += text;
    else this.parts.push({ kind: 'literal', text, quoted });
  }

  param(name: string): void {
    this.parts.push({ kind: 'param', name });
  }

  tilde(user: string): void {
    this.parts.push({ kind: 'tilde', user });
  }

  dynamic(source: string): void {
    this.parts.push({ kind: 'dynamic', source });
  }

  /** The literal text so far (expansions left out). */
  text(): string {
    return this.parts.map((part) => (part.kind === 'literal' ? part.text : '')).join('');
  }

  build(): ShellWord {
    return { parts: this.parts };
  }
}

const ANSI_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** The text of a `$'…'` string: C escapes decoded (`\n`, `\x41`, `\101`, `\u00e9`). */
export function decodeAnsiC(body: string): string {
  return body.replace(
    /\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)/g,
    (whole, esc: string) => {
      if (/^[xuU]/.test(esc)) return String.fromCodePoint(Number.parseInt(esc.slice(1), 16));
      if (/^[0-7]/.test(esc)) return String.fromCharCode(Number.parseInt(esc, 8));
      if (esc.startsWith('c')) return String.fromCharCode(esc.charCodeAt(1) & 31);
      return ANSI_ESCAPES[esc] ?? whole;
    },
  );
}
