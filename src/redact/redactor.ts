/**
 * The one redaction function every harness output goes through (journal, projections, terminal,
 * pi session files). Known secret values (from the environment and the configuration) are
 * replaced by `[redacted:<NAME>]`; recognisable credential shapes by `[redacted:<kind>]`.
 */
import { isSecretKey, SECRET_PATTERNS } from './patterns.js';

export interface NamedSecret {
  /** Shown in the replacement, e.g. the environment variable name. Never the value. */
  name: string;
  value: string;
}

export interface Redactor {
  /** The text with every known secret value and credential shape replaced. */
  text(value: string): string;
  /** A deep copy of JSON-like data with every string redacted and secret-named keys blanked. */
  value<T>(value: T): T;
}

/** Shorter values would redact ordinary words and numbers everywhere. */
export const MIN_SECRET_LENGTH = 6;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A multi-line secret (a PEM key or a JSON credential in one variable) is also hidden line by
 * line: tools print it wrapped, indented or one line at a time, never always whole.
 */
function withLines(secrets: readonly NamedSecret[]): NamedSecret[] {
  const all: NamedSecret[] = [...secrets];
  for (const secret of secrets) {
    if (!/[\r\n]/.test(secret.value)) continue;
    for (const line of secret.value.split(/\r?\n|\r/)) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_SECRET_LENGTH && !/^-----(?:BEGIN|END) /.test(trimmed)) {
        all.push({ name: secret.name, value: trimmed });
      }
    }
  }
  return all;
}

export function createRedactor(secrets: readonly NamedSecret[] = []): Redactor {
  // Longest first, so a secret that contains another is replaced whole.
  const known = [
    ...new Map(
      withLines(secrets)
        .filter((s) => s.value.length >= MIN_SECRET_LENGTH)
        .map((s) => [s.value, s.name]),
    ).entries(),
  ]
    .sort(([a], [b]) => b.length - a.length)
    .map(([value, name]) => ({ value, marker: `[redacted:${name}]` }));
  const knownPattern =
    known.length > 0 ? new RegExp(known.map((s) => escapeRegExp(s.value)).join('|'), 'g') : undefined;
  const markerOf = new Map(known.map((s) => [s.value, s.marker]));

  const text = (input: string): string => {
    let out = knownPattern ? input.replace(knownPattern, (match) => markerOf.get(match) ?? '[redacted]') : input;
    for (const pattern of SECRET_PATTERNS)
      out = out.replace(pattern.regex, pattern.replace as (match: string, ...rest: string[]) => string);
    return out;
  };

  const value = <T>(input: T): T => redactDeep(input, text) as T;
  return { text, value };
}

function redactDeep(input: unknown, text: (value: string) => string): unknown {
  if (typeof input === 'string') return text(input);
  if (Array.isArray(input)) return input.map((item) => redactDeep(item, text));
  if (input === null || typeof input !== 'object') return input;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(input as Record<string, unknown>)) {
    out[key] =
      typeof child === 'string' && child !== '' && isSecretKey(key) && !child.startsWith('[redacted')
        ? `[redacted:${key}]`
        : redactDeep(child, text);
  }
  return out;
}
