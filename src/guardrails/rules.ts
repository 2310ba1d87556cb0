/**
 * The guard's vocabulary: which rule a blocked tool call broke, the modes, and what a block says.
 * Rule ids are what the journal records and what the model reads, so they never change meaning.
 */

export {
  GUARDRAIL_MODES,
  GUARDRAIL_RULES,
  type GuardrailMode,
  type GuardrailRule,
} from '../vocabulary/guardrails.js';
import type { GuardrailRule } from '../vocabulary/guardrails.js';

/** One rule a tool call would break. */
export interface Violation {
  rule: GuardrailRule;
  /** Why, in a sentence the model can act on. */
  reason: string;
  /** The command (as the guard read it) or the path concerned. */
  subject: string;
}

/** The error text the model receives for a blocked call: every broken rule, named. */
export function blockMessage(violations: readonly Violation[], contextNote?: string): string {
  const lines = violations.map((v) => `- [${v.rule}] ${v.reason} (${v.subject})`);
  return [
    'Blocked by the pi-harness guardrails: this tool call was not run.',
    ...lines,
    ...(contextNote ? [`Note: ${contextNote}`] : []),
    'Nothing failed because of this: continue the task another way.',
  ].join('\n');
}
