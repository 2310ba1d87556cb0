/**
 * Strict JSON parsing with errors that say where (line and column) and what. JSON.parse's messages
 * vary between Node versions and often omit the position, so jsonc-parser (Microsoft's tolerant
 * scanner, used by VS Code) locates the error; comments and trailing commas stay errors.
 */
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

const READABLE: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'expected the end of the file',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

export function parseJsonWithPosition(rawText: string): JsonParseResult {
  // Editors on Windows like to write a BOM; it is not JSON but it is not the user's mistake either.
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  if (text.trim() === '') return { ok: false, error: 'malformed JSON at line 1, column 1: the file is empty' };
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (!first) return { ok: true, value };
  const { line, column } = lineAndColumn(text, first.offset);
  const code = printParseErrorCode(first.error);
  const found = text.slice(first.offset, first.offset + Math.max(1, Math.min(first.length, 20)));
  const near = found.trim() ? ` near ${JSON.stringify(found)}` : '';
  return { ok: false, error: `malformed JSON at line ${line}, column ${column}: ${READABLE[code] ?? code}${near}` };
}
