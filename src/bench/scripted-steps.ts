/**
 * The steps of the bench's scripted model, shared by its workloads: tool calls and replies, what a
 * prompt asks of the model (a tidy model takes those steps and no others), and what a prompt says
 * about the change under review.
 */
import { chatMessages, contentText, type ScriptStep, type TurnView } from '../scripted-model/index.js';

export const tool = (name: string, args: Record<string, unknown>): ScriptStep => ({
  kind: 'tool_calls',
  calls: [{ name, arguments: args }],
});
export const bash = (command: string): ScriptStep => tool('bash', { command });
export const say = (text: string): ScriptStep => ({ kind: 'text', text });

/**
 * What a prompt asks of the model. The scripted model takes the steps a prompt asks for and no
 * others, so a prompt that asks for less gets a shorter turn — and the prompts of an older
 * harness still get the turns they asked for (the bench's `--compare` runs both on one script).
 */
export const ASKS = {
  /** "tick it in TODOS.md", "Tick the task only when...": the developer edits the checkbox itself. */
  toTick: (prompt: string): boolean => /\btick (?:it|the task)\b/i.test(prompt),
  /** Unless the prompt says the harness's run just passed and not to repeat it, a reviewer runs the tests. */
  toRerunTests: (prompt: string): boolean => !/\bdo not run it again\b/i.test(prompt),
  /** Unless the prompt carries the diff itself, a reviewer asks git for it. */
  toLookUpTheChange: (prompt: string): boolean => !/^`{3,}diff$/m.test(prompt),
  /** "Make tool calls that do not depend on each other in one reply": writes of known content go together. */
  toBatchCalls: (systemPrompt: string): boolean =>
    /\btool calls that do not depend on each other in one (?:reply|response)\b/i.test(systemPrompt),
};

const systemPromptOf = (view: TurnView): string =>
  chatMessages(view.request)
    .filter((message) => message.role === 'system' || message.role === 'developer')
    .map((message) => contentText(message.content))
    .join('\n');

/** The calls of one reply: together when the system prompt asks for independent calls in one reply. */
export function calls(view: TurnView, steps: ScriptStep[]): ScriptStep[] {
  if (!ASKS.toBatchCalls(systemPromptOf(view)) || steps.length < 2) return steps;
  return [{ kind: 'tool_calls', calls: steps.flatMap((step) => (step.kind === 'tool_calls' ? step.calls : [])) }];
}

/** The task a prompt names on its "- Task:" line. */
export const taskLineOf = (prompt: string): string | undefined => /^- Task: (.*)$/m.exec(prompt)?.[1];

/** The tester's start commit, from the "Change under review" section. */
export const startCommitOf = (prompt: string): string => /started at commit `([0-9a-f]+)`/.exec(prompt)?.[1] ?? 'HEAD';
