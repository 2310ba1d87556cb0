/**
 * A small parser for the shell commands an agent runs (bash syntax), written for the guard rather
 * than taken from a library: `shell-quote` neither sees backticks nor `$( … )` inside double quotes
 * nor here-documents, and the WASM ports of full shell parsers lose the node kinds in their
 * JavaScript AST. It does not evaluate anything; it lists every simple command that can run —
 * including those in `$( … )`, backticks, `( … )`, `<( … )`, `{ …; }`, control structures,
 * function bodies and unquoted here-documents — with its words and redirections.
 *
 * Anything it cannot read throws ShellParseError: the guard then refuses the command rather than
 * guessing (bash would mostly refuse such text too).
 */
import { Cursor, type Substituter, WordBuilder } from './cursor.js';
import { type RedirectOp, type ShellCommand, ShellParseError, type ShellRedirect, type ShellWord } from './types.js';

const MAX_DEPTH = 16;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/;
/** Words that may open a command without being one; the command follows them. */
const PREFIX_KEYWORDS = new Set(['if', 'then', 'elif', 'else', 'while', 'until', 'do', '!', '{', 'time']);
/** Words that close a structure; nothing runs. */
const CLOSING_KEYWORDS = new Set(['fi', 'done', 'esac', '}']);
const REDIRECT = /^(\d*)(&>>|&>|>>|>\||>&|<<<|<<-|<<|<&|<>|>|<)/;

interface PendingHeredoc {
  redirect: ShellRedirect;
  delimiter: string;
  stripTabs: boolean;
  expands: boolean;
}

type ListEnd = 'eof' | 'paren' | 'case-item';

export function parseShell(text: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  new ShellParser(text, { commands, nextScope: 1 }, [0], 0).parseScript();
  return commands;
}

interface ParseOutput {
  commands: ShellCommand[];
  nextScope: number;
}

class ShellParser implements Substituter {
  private readonly cur: Cursor;
  private readonly out: ParseOutput;
  private readonly scope: number[];
  private readonly depth: number;
  private pending: PendingHeredoc[] = [];
  /** The last operator read was a pipe: the next command reads its output. */
  private afterPipe = false;

  constructor(text: string, out: ParseOutput, scope: number[], depth: number) {
    if (depth > MAX_DEPTH) throw new ShellParseError('commands nested too deeply');
    this.cur = new Cursor(text);
    this.out = out;
    this.scope = [...scope];
    this.depth = depth;
  }

  parseScript(): void {
    this.parseList('eof');
    if (this.pending.length > 0) this.readHeredocs();
  }

  substituteHere(): void {
    this.inSubshell(() => this.parseList('paren'));
  }

  substituteText(text: string, kind: 'script' | 'double-quoted'): void {
    const nested = new ShellParser(text, this.out, [...this.scope, this.out.nextScope++], this.depth + 1);
    if (kind === 'script') nested.parseScript();
    else nested.cur.readDoubleQuotedBody(new WordBuilder(), nested, '');
  }

  private inSubshell(body: () => void): void {
    this.scope.push(this.out.nextScope++);
    try {
      body();
    } finally {
      this.scope.pop();
    }
  }

  /** Commands separated by `;`, `&`, `&&`, `||`, `|` and newlines, up to `end`. */
  private parseList(end: ListEnd): 'esac' | undefined {
    const cur = this.cur;
    for (;;) {
      cur.skipBlanks();
      const c = cur.peek();
      if (cur.done) {
        if (end === 'eof') return undefined;
        cur.fail(end === 'paren' ? 'missing )' : 'missing esac');
      }
      if (c === '#') this.skipComment();
      else if (c === '\n') {
        cur.pos++;
        this.readHeredocs();
      } else if (cur.startsWith(';;')) {
        if (end !== 'case-item') cur.fail('unexpected ;;');
        cur.pos += cur.startsWith(';;&') ? 3 : 2;
        return undefined;
      } else if (c === ';' || c === '&' || c === '|') this.skipOperator();
      else if (c === ')') {
        if (end !== 'paren') cur.fail('unexpected )');
        cur.pos++;
        return undefined;
      } else if (c === '(' && cur.peek(1) === '(') cur.readBalanced(0);
      else if (c === '(') {
        cur.pos++;
        this.inSubshell(() => this.parseList('paren'));
      } else if (end === 'case-item' && this.peekKeyword() === 'esac') {
        cur.pos += 4;
        return 'esac';
      } else this.parseCommand();
    }
  }

  private skipComment(): void {
    const newline = this.cur.src.indexOf('\n', this.cur.pos);
    this.cur.pos = newline < 0 ? this.cur.src.length : newline;
  }

  private skipOperator(): void {
    const cur = this.cur;
    if (cur.startsWith(';&')) cur.fail('unexpected ;&');
    const pipe = cur.startsWith('|&') || (cur.peek() === '|' && cur.peek(1) !== '|');
    cur.pos += cur.startsWith('&&') || cur.startsWith('||') || cur.startsWith('|&') ? 2 : 1;
    this.afterPipe = pipe;
  }

  /** The unquoted keyword-like word at the cursor, if one stands there. */
  private peekKeyword(): string | undefined {
    const match = /^(?:[a-z]+|!|\{|\}|\[\[)(?=[\s;&|()<>]|$)/.exec(this.cur.src.slice(this.cur.pos));
    return match?.[0];
  }

  /** One simple command, or a keyword that opens or closes a structure. */
  private parseCommand(): void {
    const cur = this.cur;
    const command: ShellCommand = {
      words: [],
      assignments: [],
      redirects: [],
      scope: [...this.scope],
      piped: this.afterPipe,
    };
    this.afterPipe = false;
    for (;;) {
      cur.skipBlanks();
      if (cur.done || ('\n;&|)'.includes(cur.peek()) && !cur.startsWith('&>'))) break;
      if (cur.peek() === '#') {
        this.skipComment();
        break;
      }
      const keyword = command.words.length === 0 ? this.parseKeyword() : 'none';
      if (keyword === 'prefix') continue;
      if (keyword === 'end') {
        if (command.redirects.length === 0 && command.assignments.length === 0) return;
        break;
      }
      if (this.tryRedirect(command)) continue;
      if (cur.peek() === '(') {
        if (command.words.length === 1 && /^\(\s*\)/.test(cur.src.slice(cur.pos))) {
          cur.pos = cur.src.indexOf(')', cur.pos) + 1; // `name()`: a function definition; its body follows
          return;
        }
        cur.fail('unexpected (');
      }
      const word = cur.readWord(this);
      const assignment = command.words.length === 0 ? ASSIGNMENT.exec(literalPrefix(word)) : null;
      if (assignment?.[1]) command.assignments.push({ name: assignment[1], value: dropPrefix(word, assignment[0]) });
      else command.words.push(word);
    }
    if (command.words.length + command.redirects.length + command.assignments.length > 0) {
      this.out.commands.push(command);
    }
  }

  /**
   * Handles a keyword at the start of a command: `prefix` when the command follows it (`then git
   * push`), `end` when the keyword took the rest of the command (`fi`, `case … esac`).
   */
  private parseKeyword(): 'prefix' | 'end' | 'none' {
    const keyword = this.peekKeyword();
    if (keyword === undefined) return 'none';
    const cur = this.cur;
    if (PREFIX_KEYWORDS.has(keyword)) {
      cur.pos += keyword.length;
      if (keyword === 'time' && /^\s+-p\b/.test(cur.src.slice(cur.pos))) cur.pos = cur.src.indexOf('-p', cur.pos) + 2;
      return 'prefix';
    }
    if (CLOSING_KEYWORDS.has(keyword)) {
      cur.pos += keyword.length;
      return 'end';
    }
    if (keyword === 'case') {
      cur.pos += 4;
      this.parseCase();
      return 'end';
    }
    if (keyword === 'for' || keyword === 'select') return this.skipLoopHeader(keyword.length);
    if (keyword === 'function') return this.skipFunctionHeader();
    if (keyword === '[[') return this.skipConditional();
    return 'none';
  }

  /** `for NAME in WORDS` / `for (( … ))`: only the words' substitutions run. */
  private skipLoopHeader(length: number): 'end' {
    const cur = this.cur;
    cur.pos += length;
    cur.skipBlanks();
    if (cur.startsWith('((')) cur.readBalanced(0);
    for (;;) {
      cur.skipBlanks();
      if (cur.done || '\n;&|'.includes(cur.peek())) return 'end';
      if (this.peekKeyword() === 'do') return 'end';
      cur.readWord(this);
    }
  }

  private skipFunctionHeader(): 'end' {
    const cur = this.cur;
    cur.pos += 'function'.length;
    cur.skipBlanks();
    cur.readWord(this);
    cur.skipBlanks();
    if (/^\(\s*\)/.test(cur.src.slice(cur.pos))) cur.pos = cur.src.indexOf(')', cur.pos) + 1;
    return 'end';
  }

  /** `[[ … ]]` tests run nothing but the substitutions in their words. */
  private skipConditional(): 'end' {
    const cur = this.cur;
    cur.pos += 2;
    for (;;) {
      cur.skipBlanks();
      if (cur.done) cur.fail('missing ]]');
      if (cur.startsWith(']]')) {
        cur.pos += 2;
        return 'end';
      }
      if (cur.atWordEnd())
        cur.pos++; // operators such as && < > ( ) inside the test
      else cur.readWord(this);
    }
  }

  /** `case WORD in PATTERN) LIST ;; … esac` */
  private parseCase(): void {
    const cur = this.cur;
    cur.skipBlanks();
    cur.readWord(this);
    this.skipSpace();
    if (this.peekKeyword() !== 'in') cur.fail('case without in');
    cur.pos += 2;
    for (;;) {
      this.skipSpace();
      if (this.peekKeyword() === 'esac') {
        cur.pos += 4;
        return;
      }
      if (cur.peek() === '(') cur.pos++;
      this.readCasePattern();
      if (this.parseList('case-item') === 'esac') return;
    }
  }

  private readCasePattern(): void {
    const cur = this.cur;
    for (;;) {
      cur.skipBlanks();
      if (cur.done) cur.fail('unterminated case pattern');
      if (cur.peek() === ')') {
        cur.pos++;
        return;
      }
      if (cur.peek() === '|') cur.pos++;
      else cur.readWord(this);
    }
  }

  /** Skips blanks, newlines and comments (reading any here-documents due). */
  private skipSpace(): void {
    for (;;) {
      this.cur.skipBlanks();
      if (this.cur.peek() === '#') this.skipComment();
      else if (this.cur.peek() === '\n') {
        this.cur.pos++;
        this.readHeredocs();
      } else return;
    }
  }

  /** A redirection (`>f`, `2>>f`, `&>f`, `<<EOF`, `<(cmd)`, …) at the cursor; true if it read one. */
  private tryRedirect(command: ShellCommand): boolean {
    const cur = this.cur;
    if ((cur.peek() === '<' || cur.peek() === '>') && cur.peek(1) === '(') {
      // Process substitution: its command runs; the word itself names a pipe, not a file.
      cur.pos += 2;
      this.substituteHere();
      command.words.push({ parts: [{ kind: 'dynamic', source: '<( … )' }] });
      return true;
    }
    const match = REDIRECT.exec(cur.src.slice(cur.pos));
    if (!match?.[2]) return false;
    if (match[1] && cur.pos > 0 && !/[\s;&|()]/.test(cur.src[cur.pos - 1] ?? '')) return false;
    cur.pos += match[0].length;
    cur.skipBlanks();
    if (cur.atWordEnd()) cur.fail(`a redirection (${match[2]}) without a target`);
    const redirect: ShellRedirect = { op: match[2] as RedirectOp, target: cur.readWord(this) };
    if (match[1]) redirect.fd = Number(match[1]);
    if (redirect.op === '<<' || redirect.op === '<<-') this.queueHeredoc(redirect);
    command.redirects.push(redirect);
    return true;
  }

  private queueHeredoc(redirect: ShellRedirect): void {
    const parts = redirect.target.parts;
    const expands = parts.every((part) => part.kind !== 'literal' || !part.quoted);
    const delimiter = parts.map((part) => (part.kind === 'literal' ? part.text : '')).join('');
    this.pending.push({ redirect, delimiter, stripTabs: redirect.op === '<<-', expands });
  }

  /** Reads the bodies of the here-documents opened on the line just ended. */
  private readHeredocs(): void {
    for (const doc of this.pending.splice(0)) {
      const body: string[] = [];
      for (;;) {
        if (this.cur.done) break; // bash warns and takes the rest as the body
        const line = this.cur.readLine();
        if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) break;
        body.push(line);
      }
      doc.redirect.heredoc = body.join('\n');
      // An unquoted delimiter means `$( … )` and backticks in the body run.
      if (doc.expands) this.substituteText(body.join('\n'), 'double-quoted');
    }
  }
}

/** The literal text at the start of a word, up to its first expansion. */
function literalPrefix(word: ShellWord): string {
  let text = '';
  for (const part of word.parts) {
    if (part.kind !== 'literal' || part.quoted) return text;
    text += part.text;
  }
  return text;
}

/** The word without its first `prefix.length` literal characters (the `NAME=` of an assignment). */
function dropPrefix(word: ShellWord, prefix: string): ShellWord {
  const parts = [...word.parts];
  let rest = prefix.length;
  while (rest > 0 && parts[0]?.kind === 'literal') {
    const first = parts[0];
    if (first.text.length <= rest) {
      rest -= first.text.length;
      parts.shift();
    } else {
      parts[0] = { ...first, text: first.text.slice(rest) };
      rest = 0;
    }
  }
  return { parts };
}
