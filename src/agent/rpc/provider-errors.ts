/**
 * Classifies the `errorMessage` pi puts on a failed assistant message. pi only gives us prose (the
 * provider SDK's error text, typically starting with the HTTP status, e.g. "401 Incorrect API key"),
 * so this is pattern matching, kept in one place.
 */

export type ProviderErrorKind = 'auth' | 'transient' | 'other';

export interface ProviderErrorInfo {
  kind: ProviderErrorKind;
  status?: number;
}

const AUTH_PATTERN =
  /\b(401|403)\b|unauthori[sz]ed|forbidden|invalid[ _-]?api[ _-]?key|incorrect api key|authentication|permission denied|no api key|api key (is )?(missing|required)/i;
// Mirrors the spirit of pi-ai's retryable classifier: throttling, overload, 5xx, transport drops.
const TRANSIENT_PATTERN =
  /\b(429|500|502|503|504|520|524|529)\b|rate.?limit|too many requests|overloaded|service.?unavailable|server.?error|internal.?error|usage.?limit|quota|timed? ?out|timeout|fetch failed|socket hang up|connection.?(error|refused|reset|lost)|econnreset|terminated/i;

export function classifyProviderError(message: string | undefined): ProviderErrorInfo {
  const text = message ?? '';
  const statusMatch = /\b([1-5]\d\d)\b/.exec(text);
  const status = statusMatch ? Number(statusMatch[1]) : undefined;
  // A throttled or failing server can mention "authentication" in passing; the status decides.
  const transientStatus = status !== undefined && (status === 429 || status >= 500);
  if (!transientStatus && AUTH_PATTERN.test(text)) return { kind: 'auth', status: status === 401 || status === 403 ? status : undefined };
  if (TRANSIENT_PATTERN.test(text)) return { kind: 'transient', status };
  return { kind: 'other', status };
}

/** Removes anything that looks like a credential before a message reaches logs or reports. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]')
    .replace(/\b(sk|pk|rk|key|api|tok)[-_][A-Za-z0-9._-]{12,}/gi, '[redacted]')
    .replace(/([?&](api[_-]?key|key|token)=)[^&\s]+/gi, '$1[redacted]');
}
