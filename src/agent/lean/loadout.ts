/**
 * A turn's loadout: the tools its role may use and the system prompt it runs under. One warm pi
 * process hosts sessions of every role one after another, so neither can be fixed when pi starts;
 * the harness sends the loadout to pi's session before each turn's prompt, through a command of
 * the harness's own pi extension (pi-extension.ts), and the extension applies it to every run of
 * that session until the next loadout or a new session.
 *
 * Wire format: the RPC `prompt` `/pi-harness-loadout <JSON>`. pi runs an extension command in
 * place of a prompt — nothing reaches the model or the transcript — and answers the `prompt`
 * command once the handler has run, so the next prompt finds the loadout applied.
 */

/** Set to `1` in pi's environment: the extension sends pi's tools with compact texts (tool-text.ts). */
export const COMPACT_TOOLS_ENV = 'PI_HARNESS_COMPACT_TOOLS';

/** The extension command's name; pi reports it in `get_commands` once the extension is loaded. */
export const LOADOUT_COMMAND = 'pi-harness-loadout';

export interface Loadout {
  /** The tools the model is offered, in this order (every name must be among pi's `--tools`). */
  tools: readonly string[];
  /** The offered tools the turn may call; a call to another is refused. Absent: all offered ones. */
  allowed?: readonly string[];
  /** Replaces pi's own system prompt for every run of the session; absent: pi's own prompt. */
  systemPrompt?: string;
}

/** The `prompt` message that sets a loadout. */
export function loadoutMessage(loadout: Loadout): string {
  const body: Loadout = {
    tools: [...loadout.tools],
    ...(loadout.allowed ? { allowed: [...loadout.allowed] } : {}),
    ...(loadout.systemPrompt ? { systemPrompt: loadout.systemPrompt } : {}),
  };
  return `/${LOADOUT_COMMAND} ${JSON.stringify(body)}`;
}

const isNames = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((name) => typeof name === 'string');

/** Reads the command's argument back; undefined when it is not a loadout. */
export function parseLoadout(args: string): Loadout | undefined {
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { tools, allowed, systemPrompt } = value as { tools?: unknown; allowed?: unknown; systemPrompt?: unknown };
  if (!isNames(tools) || (allowed !== undefined && !isNames(allowed))) return undefined;
  if (systemPrompt !== undefined && typeof systemPrompt !== 'string') return undefined;
  return { tools, ...(allowed ? { allowed } : {}), ...(systemPrompt ? { systemPrompt } : {}) };
}

/** Why a call to `tool` is refused under this loadout; undefined when the turn may call it. */
export function refusal(loadout: Loadout | undefined, tool: string): string | undefined {
  if (!loadout?.allowed || loadout.allowed.includes(tool)) return undefined;
  const own = loadout.allowed.length === 0 ? 'none' : loadout.allowed.join(', ');
  return `This turn may not use ${tool} (its tools: ${own}); carry on without it.`;
}

/** The parts of pi's own system prompt that belong to the user and the project, not to pi. */
export interface PromptParts {
  appendSystemPrompt?: string;
  contextFiles?: readonly { path: string; content: string }[];
}

/** The harness's prompt, then the user's own additions that pi's prompt would also have carried. */
export function fullSystemPrompt(base: string, parts: PromptParts): string {
  const sections = [base.trimEnd()];
  const addendum = parts.appendSystemPrompt?.trim();
  if (addendum) sections.push(addendum);
  for (const file of parts.contextFiles ?? []) {
    sections.push(`Project instructions from ${file.path}:\n\n${file.content.trim()}`);
  }
  return `${sections.join('\n\n')}\n`;
}
