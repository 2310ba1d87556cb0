/**
 * Classifies the `errorMessage` pi puts on a failed assistant message. pi only gives us prose (the
 * provider SDK's error text, typically starting with the HTTP status, e.g. "401 Incorrect API key"),
 * so this is pattern matching, kept in one place.
 */

/**
 * `auth`: credentials or permissions; waiting does not help, fail at once.
 * `quota`: a usage window / quota / budget is exhausted; retried with the stated reset time.
 * `transient`: throttling, overload, 5xx, transport drops; retried with backoff.
 */
export type ProviderErrorKind = 'auth' | 'quota' | 'transient' | 'other';

export interface ProviderErrorInfo {
  kind: ProviderErrorKind;
  status?: number;
}

const AUTH_PATTERN = new RegExp(
  [
    String.raw`\b(401|403)\b`,
    'unauthori[sz]ed',
    'forbidden',
    'invalid[ _-]?api[ _-]?key',
    'incorrect api key',
    'authentication',
    'permission denied',
    'no api key',
    'api key (is )?(missing|required)',
  ].join('|'),
  'i',
);
// Usage windows and quotas: some providers answer them with 403, which must not read as "bad key".
const QUOTA_PATTERN = new RegExp(
  [
    'quota',
    'usage[ _-]?limit',
    String.raw`resets?[ _-](at|in)\b`,
    'billing',
    'out of budget',
    'credit balance',
    'spend(ing)?[ _-]limit',
    'resource[ _-]?exhausted',
  ].join('|'),
  'i',
);
const THROTTLE_PATTERN = /rate[ _-]?limit|too many requests/i;
// Mirrors the spirit of pi-ai's retryable classifier: throttling, overload, 5xx, transport drops.
const TRANSIENT_PATTERN = new RegExp(
  [
    String.raw`\b(408|429|500|502|503|504|520|524|529)\b`,
    'rate.?limit',
    'too many requests',
    'overloaded',
    'service.?unavailable',
    'server.?error',
    'internal.?error',
    'timed? ?out',
    'timeout',
    'fetch failed',
    'socket hang up',
    'connection.?(error|refused|reset|lost)',
    'econnreset',
    'terminated',
    'retry delay',
  ].join('|'),
  'i',
);

export function classifyProviderError(message: string | undefined): ProviderErrorInfo {
  const text = message ?? '';
  // pi writes "<status>: <body>"; prefer that prefix over numbers inside the body.
  const statusMatch = /^\s*([1-5]\d\d)\b/.exec(text) ?? /\b([1-5]\d\d)\b/.exec(text);
  const status = statusMatch ? Number(statusMatch[1]) : undefined;
  if (status === 401) return { kind: 'auth', status };
  if (QUOTA_PATTERN.test(text)) return { kind: 'quota', status };
  if (status === 403) return { kind: THROTTLE_PATTERN.test(text) ? 'transient' : 'auth', status };
  // A throttled or failing server can mention "authentication" in passing; the status decides.
  const transientStatus = status !== undefined && (status === 408 || status === 429 || status >= 500);
  if (!transientStatus && AUTH_PATTERN.test(text)) return { kind: 'auth', status: undefined };
  if (transientStatus || TRANSIENT_PATTERN.test(text)) return { kind: 'transient', status };
  return { kind: 'other', status };
}

/** Errors the transport waits out and retries (bounded by the retry policy). */
export function isRetryableProviderError(info: ProviderErrorInfo): boolean {
  return info.kind === 'transient' || info.kind === 'quota';
}

/** Removes anything that looks like a credential before a message reaches logs or reports. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]')
    .replace(/\b(sk|pk|rk|key|api|tok)[-_][A-Za-z0-9._-]{12,}/gi, '[redacted]')
    .replace(/([?&](api[_-]?key|key|token)=)[^&\s]+/gi, '$1[redacted]');
}
