/** The guardrails' modes, shared by the configuration and the guard inside pi. */

export const GUARDRAIL_MODES = ['enforce', 'warn', 'off'] as const;
/** `enforce` blocks and restores; `warn` lets calls run and reports changes; `off` does neither. */
export type GuardrailMode = (typeof GUARDRAIL_MODES)[number];
