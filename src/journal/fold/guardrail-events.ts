/** Folding the guardrails' events into counts for an iteration and for the run. */
import type { ReadEventOf } from '../decode.js';
import type { GuardrailFacts } from './facts.js';

/** How many changes an iteration lists by name (the counts are exact). */
const MAX_CHANGES_LISTED = 20;

export function addGuardrailBlock(facts: GuardrailFacts, event: ReadEventOf<'guardrail_block'>): void {
  if (event.action === 'warned') facts.warned += 1;
  else facts.blocked += 1;
  const rule = event.rule ?? 'unknown';
  facts.byRule[rule] = (facts.byRule[rule] ?? 0) + 1;
}

/** `applied`: the change was put back; otherwise it was found and reported (kept, or warn mode). */
export function addGuardrailRestore(
  facts: GuardrailFacts,
  event: ReadEventOf<'guardrail_restore'>,
  listChanges: boolean,
): void {
  if (event.applied === true) facts.restored += 1;
  else facts.reported += 1;
  if (listChanges && facts.changes.length < MAX_CHANGES_LISTED)
    facts.changes.push(`${event.target ?? '?'}: ${event.detail ?? event.kind ?? 'changed'}`);
}
