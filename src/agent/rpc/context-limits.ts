/**
 * Clear endings for turns that hit the model's size limits. pi 0.87 handles both itself first
 * (source: agent-session.js `_checkCompaction`, pi-ai utils/overflow.js): a context-overflow error
 * or a `length` stop gets ONE compact-and-retry; when that is impossible (nothing old enough to
 * summarise) or fails, pi settles on the raw provider error / truncated answer. Only then do we
 * get here, and the user needs to know which limit of which model was hit, not a raw 400 body.
 */

import type { AssistantInfo } from './events.js';
import { redactSecrets } from './provider-errors.js';

export interface ModelLimits {
  contextWindow?: number;
  maxTokens?: number;
}

// The generic subset of pi-ai's OVERFLOW_PATTERNS (OpenAI, OpenAI-compatible proxies, llama.cpp,
// LM Studio, Ollama, vLLM, Anthropic, Gemini): what pi itself recognised as an overflow.
const OVERFLOW_PATTERN = new RegExp(
  [
    'context[_ ]length[_ ]exceeded',
    'maximum context length',
    'exceeds the context window',
    'context (window|size|length)',
    'prompt (is )?too long',
    'input token count.*exceeds',
    'too many tokens',
    'token limit exceeded',
    'request_too_large',
  ].join('|'),
  'i',
);
const NOT_OVERFLOW = /rate limit|too many requests/i;

export function isContextOverflowError(message: string | undefined): boolean {
  return !!message && OVERFLOW_PATTERN.test(message) && !NOT_OVERFLOW.test(message);
}

/** Detail for a turn that settled on an overflow error pi could not recover from. */
export function overflowDetail(
  model: string,
  limits: ModelLimits,
  last: AssistantInfo,
  compactionError: string | undefined,
): string {
  const window =
    limits.contextWindow !== undefined
      ? `contextWindow ${limits.contextWindow}`
      : 'contextWindow not declared, pi used its default';
  const recovery = compactionError ?? 'pi found nothing it could compact';
  const lastError = redactSecrets(last.errorMessage ?? '').slice(0, 300);
  return `context window exceeded for model ${model} (${window}): ${recovery}. Last error: ${lastError}`;
}

/** Detail for a turn whose last answer was cut off at the output limit. */
export function lengthDetail(model: string, limits: ModelLimits, compactionError: string | undefined): string {
  const max = limits.maxTokens !== undefined ? `maxTokens ${limits.maxTokens}` : 'maxTokens not declared';
  const compaction = compactionError ? `; ${compactionError}` : '';
  const limit = `its output limit (finish_reason "length", ${max})`;
  return `the last answer of model ${model} was truncated at ${limit}${compaction}`;
}
