/**
 * The review model's answer: a JSON object `{"verdict","summary","findings"}` (docs/visual-review.md), read
 * tolerantly because models wrap it — in a ```json fence, after a sentence of prose, with a
 * trailing comma, nested one level down. Every balanced `{…}` in the text is a candidate; the last
 * one carrying a real verdict wins (a model may quote an example before its answer). A verdict
 * that offers choices ("PASS|FAIL|BLOCKED") is an echo of the instruction, never an answer.
 * No candidate means no verdict: the caller turns that into BLOCKED and keeps the raw text.
 */
import { isObject, type JsonObject } from '../util/json.js';
import { VISUAL_VERDICTS, type VisualVerdict } from '../vocabulary/verdicts.js';

export interface VisualAnswer {
  verdict: VisualVerdict;
  summary: string;
  /** One sentence per problem (objects are flattened to "screen: issue (severity)"). */
  findings: string[];
}

/** Answers longer than this are cut before scanning (the scan is quadratic in the worst case). */
const MAX_SCAN_CHARS = 200_000;
const MAX_CANDIDATES = 500;

/** The balanced `{…}` starting at `start` (strings and escapes respected), if it closes. */
function balancedObject(text: string, start: number): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** Drops commas before `}` or `]` outside strings: `{"a": 1,}` → `{"a": 1}`. */
export function withoutTrailingCommas(json: string): string {
  return json.replace(/"(?:\\.|[^"\\])*"|,(\s*[}\]])/g, (match, tail: string | undefined) => tail ?? match);
}

function parseLoose(candidate: string): unknown {
  try {
    return JSON.parse(candidate);
  } catch {
    try {
      return JSON.parse(withoutTrailingCommas(candidate));
    } catch {
      return undefined;
    }
  }
}

/** `obj[name]`, matching the key case-insensitively (`Verdict`, `VERDICT`). */
function field(obj: JsonObject, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : obj[key];
}

function verdictOf(value: unknown): VisualVerdict | undefined {
  if (typeof value !== 'string') return undefined;
  const word = value.trim().replace(/[.!]$/, '').toUpperCase();
  return (VISUAL_VERDICTS as readonly string[]).includes(word) ? (word as VisualVerdict) : undefined;
}

const TEXT_KEYS = ['issue', 'problem', 'description', 'finding', 'message', 'text', 'detail', 'details', 'summary'];
const SCREEN_KEYS = ['screen', 'screenid', 'id', 'image'];

function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** A finding as one line: strings as they are, objects as "screen: issue (severity)". */
export function findingText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (!isObject(value)) return text(value) || JSON.stringify(value) || '';
  const body = TEXT_KEYS.map((key) => text(field(value, key))).find((t) => t !== '');
  if (body === undefined) return JSON.stringify(value);
  const screen = SCREEN_KEYS.map((key) => text(field(value, key))).find((t) => t !== '');
  const severity = text(field(value, 'severity'));
  return `${screen ? `${screen}: ` : ''}${body}${severity ? ` (${severity})` : ''}`;
}

function asAnswer(value: unknown): VisualAnswer | undefined {
  if (!isObject(value)) return undefined;
  const verdict = verdictOf(field(value, 'verdict'));
  if (!verdict) return undefined;
  const rawFindings = field(value, 'findings');
  const list = Array.isArray(rawFindings)
    ? rawFindings
    : rawFindings === undefined || rawFindings === null
      ? []
      : [rawFindings];
  const findings = list.map(findingText).filter((line) => line !== '');
  return { verdict, summary: text(field(value, 'summary')), findings };
}

/** The answer in `answer`, or undefined when it holds no usable verdict object. */
export function parseVisualAnswer(answer: string): VisualAnswer | undefined {
  const source = answer.length > MAX_SCAN_CHARS ? answer.slice(-MAX_SCAN_CHARS) : answer;
  let found: VisualAnswer | undefined;
  let candidates = 0;
  for (let i = source.indexOf('{'); i !== -1 && candidates < MAX_CANDIDATES; i = source.indexOf('{', i + 1)) {
    const candidate = balancedObject(source, i);
    if (candidate === undefined) continue;
    candidates++;
    const parsed = parseLoose(candidate);
    // The object itself, or one nested a level down ({"review": {...}}).
    const answerHere =
      asAnswer(parsed) ?? (isObject(parsed) ? Object.values(parsed).map(asAnswer).find(Boolean) : undefined);
    if (answerHere) found = answerHere;
  }
  return found;
}
