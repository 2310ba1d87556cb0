/**
 * A scripted model that plays the harness's roles: it recognises which role a turn is for from
 * the prompt pi forwards (the harness's section headings), and answers each turn of that role with
 * the next planned sequence of steps. Used by the end-to-end tests and the offline demo.
 */
import { chatMessages, contentText } from './request-helpers.js';
import type { RecordedRequest, ScriptStep } from './types.js';

export type ScriptedRole = 'developer' | 'developerRetry' | 'developerFix' | 'tester' | 'testerRecheck';

/** Which role the prompt is for, from the headings the prompt builders always emit. */
export function detectRole(prompt: string): ScriptedRole {
  if (prompt.includes('\n## Recheck')) return 'testerRecheck';
  if (prompt.includes('\n## Verdict')) return 'tester';
  if (prompt.includes('\n## Fix: ')) return 'developerFix';
  if (prompt.includes('\n## Retry')) return 'developerRetry';
  return 'developer';
}

/** What a planned turn sees: the prompt of the turn and the tool results so far. */
export interface TurnView {
  role: ScriptedRole;
  prompt: string;
  /** How many model requests of this turn came before this one. */
  step: number;
  /** Occurrence of this role in the run: 0 for its first turn, 1 for the second... */
  occurrence: number;
  request: RecordedRequest;
}

/**
 * A step the model takes only when its turn's prompt asks for it, e.g. ticking the task when the
 * prompt says to, or re-running the tests when the prompt does not say they just passed. A prompt
 * that stops asking gets a shorter turn; the old prompt still gets the old one.
 */
export interface ConditionalStep {
  onlyIf: (prompt: string) => boolean;
  step: ScriptStep;
}

export type PlannedStep = ScriptStep | ConditionalStep;

const isConditional = (planned: PlannedStep): planned is ConditionalStep => 'onlyIf' in planned;

/** The steps a prompt asks for, in order: unconditional ones, and conditional ones whose test holds. */
export function stepsFor(planned: readonly PlannedStep[], prompt: string): ScriptStep[] {
  return planned.flatMap((item) => (isConditional(item) ? (item.onlyIf(prompt) ? [item.step] : []) : [item]));
}

/** One turn: the steps answering its successive model requests (the last should be text). */
export type TurnPlan = PlannedStep[] | ((view: TurnView) => ScriptStep);
export type RolePlans = Partial<Record<ScriptedRole, TurnPlan[]>>;

const FINISHED: ScriptStep = { kind: 'text', text: 'Done.' };

/**
 * The prompt of the current turn and how many assistant replies it already got. A user message
 * right after a tool result is guidance steered into the turn in flight (pi delivers steering after
 * the tool calls in progress): it belongs to the turn and starts no new one.
 */
function currentTurn(request: RecordedRequest): { prompt: string; step: number } {
  const messages = chatMessages(request);
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user' && messages[i - 1]?.role !== 'tool') {
      lastUser = i;
      break;
    }
  }
  const prompt = lastUser >= 0 ? contentText(messages[lastUser]!.content) : '';
  const step = messages.slice(lastUser + 1).filter((m) => m.role === 'assistant').length;
  return { prompt, step };
}

/**
 * A script function for startScriptedModel: turn N of a role gets plans[role][N] (the last plan
 * repeats when a role runs more often than planned; a role without plans just answers "Done.").
 */
export function roleScript(plans: RolePlans): (request: RecordedRequest) => ScriptStep {
  const occurrences = new Map<ScriptedRole, number>();
  return (request) => {
    const { prompt, step } = currentTurn(request);
    const role = detectRole(prompt);
    if (step === 0) occurrences.set(role, (occurrences.get(role) ?? -1) + 1);
    const occurrence = occurrences.get(role) ?? 0;
    const rolePlans = plans[role];
    const plan = rolePlans?.[Math.min(occurrence, rolePlans.length - 1)];
    if (!plan) return FINISHED;
    if (typeof plan === 'function') return plan({ role, prompt, step, occurrence, request });
    return stepsFor(plan, prompt)[step] ?? FINISHED;
  };
}
