/**
 * Reads how long a provider asked us to wait out of the error text pi reports for a failed model
 * request. pi 0.87.1 does not pass response headers of failed requests on (its `errorMessage` is
 * `"<status>: <body>"`), so a `retry-after` header is only seen here when something copied it into
 * the text (gateways that echo headers into the body, pi's own "Server requested Ns retry delay"
 * message). Bodies carry most of the useful phrasings anyway: OpenAI "Please try again in 20s",
 * Gemini `"retryDelay": "20s"`, usage windows "resets at 2026-11-24T15:00:00Z" / "resets in 2 hours",
 * OpenRouter `"X-RateLimit-Reset": "<epoch ms>"`, Claude "usage limit reached|<epoch s>".
 *
 * Pure: `now` is passed in. Anything unreadable yields undefined (the caller falls back to backoff).
 */

export interface StatedWait {
  /** Milliseconds from `now`; 0 when the stated moment has already passed. */
  ms: number;
  /** The phrase the wait came from, for the record (e.g. "try again in 20s"). */
  stated: string;
}

const UNIT = '(?:milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)(?![a-z])';
const PART = String.raw`\d+(?:\.\d+)?\s*${UNIT}`;
/** "20s", "1m30s", "6.5 seconds", "2 hours and 30 minutes", "1h, 5m". */
const DURATION = String.raw`${PART}(?:\s*(?:,|and)?\s*${PART})*`;

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const WEEKDAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const HTTP_DATE = String.raw`(?:${WEEKDAYS}),\s+\d{1,2}\s+(?:${MONTHS})\s+\d{4}\s+\d{2}:\d{2}:\d{2}\s+GMT`;
/** A zone: Z, UTC, GMT or an offset (+02:00, -0500). */
const ZONE = String.raw`(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})`;
const ISO_DATE = String.raw`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*${ZONE})?`;
/** A time of day is only usable with an explicit UTC zone; local times of an unknown zone are not. */
const CLOCK_UTC = String.raw`\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:UTC|GMT|Z)\b`;
const EPOCH = String.raw`(?:\d{13}|\d{10})(?!\d)`;
const MOMENT = `(?:${HTTP_DATE}|${ISO_DATE}|${CLOCK_UTC}|${EPOCH})`;

/** Words that introduce a wait. */
const LEAD = String.raw`\b(?:try(?:ing)?\s+again|retry(?:ing)?|reset(?:s|ting)?|available\s+again|wait(?:ing)?|until)`;

interface Rule {
  pattern: RegExp;
  read: (m: RegExpExecArray, now: number) => number | undefined;
}

/** Earlier rules are more specific and win. */
const RULES: readonly Rule[] = [
  // Header-like `retry-after-ms: 1500` (OpenAI SDKs send it next to retry-after).
  {
    pattern: /retry[-_]?after[-_]?ms["']?\s*[:=]\s*["']?(\d+(?:\.\d+)?)/i,
    read: (m) => Number(m[1]),
  },
  // Header-like `retry-after: 20` / `"retry_after": 20` / `Retry-After: <HTTP-date>`, and prose
  // "retry after 30" (Anthropic-style wording; a bare number there means seconds, as in the header).
  {
    pattern: new RegExp(
      String.raw`retry[-_ ]?after(?:[-_]?s(?:ec(?:ond)?s?)?)?["']?\s*[:=]?\s*["']?` +
        String.raw`(${HTTP_DATE}|${ISO_DATE}|\d+(?:\.\d+)?)(?!\s*${UNIT}|\d|-)`,
      'i',
    ),
    read: (m, now) => (/^\d+(?:\.\d+)?$/.test(m[1]!) ? Number(m[1]) * 1000 : momentMs(m[1]!, now)),
  },
  // pi's provider-level retry refusing a long delay: "Server requested 120s retry delay (max: 60s)".
  {
    pattern: /server requested (\d+(?:\.\d+)?)\s*s(?:econds?)? retry delay/i,
    read: (m) => Number(m[1]) * 1000,
  },
  // Gemini RetryInfo: "retryDelay": "20s" (also "20.5s").
  {
    pattern: new RegExp(String.raw`retry[-_ ]?delay["']?\s*[:=]\s*["']?(${DURATION})`, 'i'),
    read: (m) => durationMs(m[1]!),
  },
  // "try again in 20s", "retry in 1m30s", "resets in 2 hours", "retry after 30 seconds", "wait 5s".
  {
    pattern: new RegExp(String.raw`${LEAD}(?:\s+(?:in|after|for))?\s*[:=]?\s*(${DURATION})`, 'i'),
    read: (m) => durationMs(m[1]!),
  },
  // "resets at 2026-11-24T15:00:00Z", "try again at Tue, 24 Nov 2026 15:00:00 GMT", "until 15:00 UTC".
  {
    pattern: new RegExp(String.raw`${LEAD}(?:\s+(?:at|on|after))?\s*[:=]?\s*["']?(${MOMENT})`, 'i'),
    read: (m, now) => momentMs(m[1]!, now),
  },
  // JSON reset fields: "resets_at": 1732460400, "resetAt": "2026-...", "X-RateLimit-Reset": "1741305600000".
  {
    pattern: new RegExp(
      String.raw`(?:x-)?(?:rate[-_]?limit[-_])?resets?[-_]?(?:at|time)?["']?\s*[:=]\s*["']?(${MOMENT}|\d+(?:\.\d+)?)`,
      'i',
    ),
    read: (m, now) => resetValueMs(m[1]!, now),
  },
  // Claude subscription limits: "Claude AI usage limit reached|1732460400".
  {
    pattern: /limit reached\s*\|\s*(\d{10}|\d{13})\b/i,
    read: (m, now) => momentMs(m[1]!, now),
  },
];

/** The wait a provider stated in `text`, or undefined when it states none we can read. */
export function parseStatedWait(text: string | undefined, now: number = Date.now()): StatedWait | undefined {
  if (!text) return undefined;
  for (const rule of RULES) {
    const m = rule.pattern.exec(text);
    if (!m) continue;
    const ms = rule.read(m, now);
    if (ms === undefined || !Number.isFinite(ms)) continue;
    return { ms: Math.max(0, Math.round(ms)), stated: m[0].replace(/\s+/g, ' ').trim().slice(0, 120) };
  }
  return undefined;
}

/** "1m30s" → 90 000. Undefined when nothing in `text` is a duration. */
export function durationMs(text: string): number | undefined {
  const part = new RegExp(String.raw`(\d+(?:\.\d+)?)\s*(${UNIT})`, 'gi');
  let total = 0;
  let found = false;
  for (const m of text.matchAll(part)) {
    const unit = unitMs(m[2]!);
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    found = true;
  }
  return found ? total : undefined;
}

function unitMs(unit: string): number | undefined {
  const u = unit.toLowerCase();
  if (u === 'ms' || u.startsWith('msec') || u.startsWith('milli')) return 1;
  if (u.startsWith('s')) return 1000;
  if (u.startsWith('m')) return 60_000;
  if (u.startsWith('h')) return 3_600_000;
  if (u.startsWith('d')) return 86_400_000;
  return undefined;
}

/** Milliseconds from `now` until an absolute moment (date, epoch, UTC time of day). */
export function momentMs(text: string, now: number): number | undefined {
  const t = text.trim();
  if (/^\d{13}$/.test(t)) return Number(t) - now;
  if (/^\d{10}$/.test(t)) return Number(t) * 1000 - now;
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap])?\.?m?\.?\s*(?:UTC|GMT|Z)$/i.exec(t);
  if (clock) return clockMs(clock, now);
  let iso = t;
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    // Providers write UTC; a timestamp without a zone is read as UTC rather than our local time.
    iso = t
      .replace(' ', 'T')
      .replace(/\s*(UTC|GMT)$/i, 'Z')
      .replace(/\s*([+-]\d{2}):?(\d{2})$/, '$1:$2');
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  }
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : at - now;
}

/** The next occurrence of a UTC time of day. */
function clockMs(m: RegExpExecArray, now: number): number | undefined {
  let hours = Number(m[1]);
  const minutes = Number(m[2]);
  const seconds = Number(m[3] ?? 0);
  const meridiem = m[4]?.toLowerCase();
  if (meridiem) {
    if (hours < 1 || hours > 12) return undefined;
    hours = (hours % 12) + (meridiem === 'p' ? 12 : 0);
  }
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const day = new Date(now);
  let at = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hours, minutes, seconds);
  if (at <= now) at += 86_400_000;
  return at - now;
}

/** Reset fields hold an epoch (s or ms), a date, or (x-ratelimit-reset, IETF draft) delta seconds. */
function resetValueMs(value: string, now: number): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(value)) {
    const n = Number(value);
    if (n >= 1e12) return n - now;
    if (n >= 1e9) return n * 1000 - now;
    return n * 1000;
  }
  return momentMs(value, now);
}
