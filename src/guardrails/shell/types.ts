/**
 * What the guard's shell parser sees in a command line: every simple command that can run (those
 * inside `$( … )`, backticks, `( … )`, `<( … )` and function bodies included), each as words,
 * variable assignments and redirections. Words keep which parts are literal text and which are
 * expansions, so a rule can tell `rm .git/x` from `rm "$DIR/x"`.
 */

export type WordPart =
  /** Text as the command will see it (quotes and escapes already removed). */
  | { kind: 'literal'; text: string; quoted: boolean }
  /** `$NAME` or `${NAME}`: known only if the variable's value is. */
  | { kind: 'param'; name: string }
  /** `~` or `~user` at the start of a word. */
  | { kind: 'tilde'; user: string }
  /** Anything only the shell can know: `$( … )`, `$(( … ))`, `${x:-y}`, `$1`, `$@`, … */
  | { kind: 'dynamic'; source: string };

export interface ShellWord {
  parts: WordPart[];
}

export type RedirectOp = '>' | '>>' | '>|' | '&>' | '&>>' | '<' | '<>' | '<<' | '<<-' | '<<<' | '>&' | '<&';

export interface ShellRedirect {
  op: RedirectOp;
  /** The file descriptor written before the operator (`2>`), when there is one. */
  fd?: number;
  /** The file (or, for `<<`, the here-document's delimiter; for `>&`, possibly a descriptor). */
  target: ShellWord;
  /** A here-document's body as written (`<<`, `<<-`). */
  heredoc?: string;
}

export interface ShellAssignment {
  name: string;
  value: ShellWord;
}

export interface ShellCommand {
  words: ShellWord[];
  assignments: ShellAssignment[];
  redirects: ShellRedirect[];
  /**
   * The chain of subshells the command runs in (outermost first). A `cd` changes the directory of
   * the commands after it in its own subshell and the ones nested inside it, never outside.
   */
  scope: readonly number[];
  /** The command reads the output of the one before it (`a | b`). */
  piped: boolean;
}

export class ShellParseError extends Error {
  override name = 'ShellParseError';
}
