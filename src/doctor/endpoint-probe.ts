/**
 * One `GET <baseUrl>/models` against a configured endpoint: is the server up, does it accept the
 * key, does it serve the model id. pi itself never calls /models, but nearly every
 * OpenAI-compatible server (and Anthropic's and Google's APIs) serves it, which makes it the
 * cheapest question that proves the endpoint and the key without spending a token.
 */
import type { ModelEndpointConfig } from '../config/schema.js';

export type ProbeOutcome =
  | { kind: 'listed'; ids: string[] }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'rejected'; status: number }
  | { kind: 'http-error'; status: number }
  | { kind: 'not-a-list' };

export function modelsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/models`;
}

/** The key goes where each API family expects it; a keyless local server gets no header. */
function authHeaders(api: string, key: string | undefined): Record<string, string> {
  if (api === 'anthropic-messages') return { 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) };
  if (!key) return {};
  if (api === 'google-generative-ai') return { 'x-goog-api-key': key };
  return { authorization: `Bearer ${key}` };
}

/**
 * The most specific reason a fetch failed: a system error code (`ECONNREFUSED`, `ENOTFOUND`), a
 * timeout, else the innermost message (undici wraps everything in "fetch failed").
 */
export function fetchFailureReason(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  let message = error instanceof Error ? error.message : String(error);
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (cause instanceof Error && cause.message) message = cause.message;
    const inner = cause as { cause?: unknown; errors?: unknown[] };
    cause = inner.errors?.[0] ?? inner.cause;
  }
  return message;
}

/** Model ids in an OpenAI/Anthropic (`data[].id`) or Google/Ollama (`models[].name`) listing. */
export function listedIds(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { data, models } = body as { data?: unknown; models?: unknown };
  const entries = Array.isArray(data) ? data : Array.isArray(models) ? models : undefined;
  if (entries === undefined) return undefined;
  const ids: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { id, name } = entry as { id?: unknown; name?: unknown };
    if (typeof id === 'string') ids.push(id);
    if (typeof name === 'string') ids.push(name.replace(/^models\//, ''));
  }
  return ids;
}

export async function probeEndpoint(
  endpoint: ModelEndpointConfig,
  key: string | undefined,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  let response: Response;
  try {
    response = await fetch(modelsUrl(endpoint.baseUrl), {
      headers: { accept: 'application/json', ...authHeaders(endpoint.api, key) },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow',
    });
  } catch (error) {
    return { kind: 'unreachable', reason: fetchFailureReason(error, timeoutMs) };
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    return { kind: 'rejected', status: response.status };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { kind: 'http-error', status: response.status };
  }
  try {
    const ids = listedIds(await response.json());
    return ids === undefined ? { kind: 'not-a-list' } : { kind: 'listed', ids };
  } catch {
    return { kind: 'not-a-list' };
  }
}
