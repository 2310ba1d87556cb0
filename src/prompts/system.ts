/**
 * The loadout of an agent turn: which tools its role gets and the system prompt it runs under.
 *
 * Tools: a role may use what its work needs from the tools the configuration allows (`piTools`):
 * the developer roles all of them; the tester reads and runs commands (its review, the tests, git)
 * but does not write or edit files — it reports problems instead of fixing them; the visual
 * reviewer only looks at images. Where the difference sits was measured (docs/prompts.md): every
 * coding role is *offered* the same tool list, and a call to a tool outside the role's own set is
 * refused at the call. A tool list that changes with the role breaks a prefix cache's reuse at
 * every change of role (the whole list and prompt after it are prefilled again); the same list
 * for every role costs only the few schemas a tester never calls.
 *
 * System prompt: `systemPrompt: "harness"` replaces pi's general-purpose one (written for a person
 * at a terminal, with pointers to pi's own documentation) with what an unattended turn needs, and
 * nothing else; the tools then carry compact texts of their own (agent/lean/tool-text.ts). `"pi"`
 * keeps pi's own prompt and tool texts.
 */
import type { Config } from '../config/load.js';
import type { Role } from '../vocabulary/roles.js';

export type SystemPromptMode = Config['systemPrompt'];

/** Tools that only look and run commands: what a reviewer may use. */
const REVIEW_TOOLS: readonly string[] = ['read', 'bash', 'grep', 'find', 'ls'];
/** Searching tools: bash does the same (find, grep) at no cost in every request's tool list. */
const SEARCH_TOOLS: readonly string[] = ['find', 'grep'];
/** The order tools are offered in: shared ones first, so one role's list starts another's. */
const TOOL_ORDER: readonly string[] = ['read', 'bash', 'edit', 'write', 'ls', 'find', 'grep'];

const rank = (tool: string): number => {
  const index = TOOL_ORDER.indexOf(tool);
  return index === -1 ? TOOL_ORDER.length : index;
};

/** The tools in the harness's order (known tools first, others after them as configured). */
export function orderTools(tools: readonly string[]): string[] {
  return [...tools]
    .map((tool, i) => ({ tool, i }))
    .sort((a, b) => rank(a.tool) - rank(b.tool) || a.i - b.i)
    .map(({ tool }) => tool);
}

/**
 * The tools a role is offered, out of those the configuration allows. Every tool's schema rides in
 * every request of the turn, so a role gets no tool whose work another of its tools already does:
 * with bash at hand, searching goes through it (and a reviewer's listing too).
 */
export function toolsForRole(role: Role, allowed: readonly string[]): string[] {
  if (role === 'visualReview') return [];
  const bash = allowed.includes('bash');
  if (role === 'tester' || role === 'testerCommit') {
    const review = allowed.filter((tool) => REVIEW_TOOLS.includes(tool));
    return orderTools(bash ? review.filter((tool) => tool === 'read' || tool === 'bash') : review);
  }
  return orderTools(bash ? allowed.filter((tool) => !SEARCH_TOOLS.includes(tool)) : allowed);
}

/**
 * The harness's system prompt: the same for every role, so that it heads every request of a run
 * unchanged. What each tool is for and how to call it well sits in the tool's own (compact)
 * description, sent only with the roles that have the tool.
 */
export const HARNESS_SYSTEM_PROMPT = [
  'You are a coding agent working unattended in a git repository, as one step of an automated loop: nobody ' +
    'answers questions or reads your messages while you work, so decide for yourself and keep going. A program ' +
    'reads your last message.',
  '',
  '- Your working directory is the repository root; give paths relative to it.',
  '- Run only commands that end on their own: no watch modes, servers or prompts waiting for input.',
  '- Make tool calls that do not depend on each other in one reply.',
  '- Keep your messages short.',
  '',
].join('\n');

export interface TurnLoadout {
  /** The tools the role may use. */
  tools: string[];
  /** The tools whose schemas the model is sent, in order: the same list for every coding role. */
  offeredTools: string[];
  /** Undefined: pi's own system prompt. */
  systemPrompt?: string;
}

/** The tools and system prompt of a role's turn under this configuration. */
export function loadoutFor(role: Role, config: Pick<Config, 'piTools' | 'systemPrompt'>): TurnLoadout {
  const tools = toolsForRole(role, config.piTools);
  // Every coding role's set is part of the developer's, so the developer's list serves them all.
  const offeredTools = role === 'visualReview' ? [] : toolsForRole('developer', config.piTools);
  if (config.systemPrompt === 'pi') return { tools, offeredTools };
  return { tools, offeredTools, systemPrompt: HARNESS_SYSTEM_PROMPT };
}
