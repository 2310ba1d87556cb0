/**
 * Plays a whole turn of the bench's scripted model without a server or pi: the prompt goes in as a
 * chat request, every tool call is answered "ok", until the model stops calling tools. The bench's
 * workload tests use it to check which steps a prompt gets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { roleScript, type RecordedRequest, type RolePlans, type ScriptStep } from '../../src/scripted-model/index.js';

/** The opening of pi's own system prompt (pi 0.87.1): nothing in it asks for calls in one reply. */
export const PI_SYSTEM_PROMPT =
  'You are an expert coding assistant operating inside pi, a coding agent harness. You help users by reading ' +
  'files, executing commands, editing code, and writing new files.\n\n<rules>\n- Be concise in your responses\n</rules>';

/** The prompts of 52492ab, the commit before the lean-turn work (an older harness the script still serves). */
const OLD_PROMPTS = path.join(import.meta.dirname, '..', 'fixtures', 'prompts-52492ab');

export function oldPrompt(role: string): string {
  return readFileSync(path.join(OLD_PROMPTS, `${role}.md`), 'utf8');
}

/** A chat request as the scripted model records it: a system prompt, the user's prompt, then the turn so far. */
export function chatRequest(prompt: string, history: unknown[], system: string): RecordedRequest {
  const body = { messages: [{ role: 'system', content: system }, { role: 'user', content: prompt }, ...history] };
  return {
    seq: 0,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {},
    auth: { present: true, matched: true },
    body,
    bodyBytes: 0,
    receivedAt: 0,
  };
}

/** The steps of one whole turn of `prompt` against `plans`. */
export function playTurn(plans: RolePlans, prompt: string, system: string): ScriptStep[] {
  const script = roleScript(plans);
  const steps: ScriptStep[] = [];
  const history: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    const step = script(chatRequest(prompt, history, system));
    steps.push(step);
    if (step.kind !== 'tool_calls') return steps;
    history.push({ role: 'assistant', tool_calls: [] }, { role: 'tool', content: 'ok', tool_call_id: 'x' });
  }
  throw new Error('the turn never ended');
}
