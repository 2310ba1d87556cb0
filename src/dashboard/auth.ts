/**
 * The dashboard's one secret: a token per start (or PI_HARNESS_DASHBOARD_TOKEN), required on every
 * request — as the `token` query parameter (the page then keeps it in an HttpOnly, SameSite=Strict
 * cookie), or as `Authorization: Bearer TOKEN`. Compared in constant time. Never written to a file,
 * the journal or a log: the terminal line that prints the URL is the one place it appears.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_VARIABLE = 'PI_HARNESS_DASHBOARD_TOKEN';

export function dashboardToken(env: NodeJS.ProcessEnv): string {
  const given = env[TOKEN_VARIABLE]?.trim();
  return given ? given : randomBytes(24).toString('base64url');
}

/** Equal in time independent of where they differ (both are hashed, so lengths do not leak either). */
export function sameToken(given: string, token: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** One cookie per port: two dashboards on one host keep their own tokens. */
export function cookieName(port: number): string {
  return `pi_harness_${port}`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export type Authorization =
  | { ok: false }
  /** `fromQuery`: the token came in the URL; the response sets the cookie and drops it from the address. */
  | { ok: true; fromQuery: boolean };

export function authorize(request: IncomingMessage, url: URL, token: string, port: number): Authorization {
  const query = url.searchParams.get('token');
  if (query !== null) return sameToken(query, token) ? { ok: true, fromQuery: true } : { ok: false };
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer '))
    return sameToken(header.slice(7).trim(), token) ? { ok: true, fromQuery: false } : { ok: false };
  const cookie = cookieValue(request.headers.cookie, cookieName(port));
  return cookie !== undefined && sameToken(cookie, token) ? { ok: true, fromQuery: false } : { ok: false };
}

export function sessionCookie(token: string, port: number): string {
  return `${cookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}
