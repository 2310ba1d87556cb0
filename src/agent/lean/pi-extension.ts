/**
 * The harness's loadout extension, loaded into every pi the rpc transport starts (`pi --extension
 * <this file, built>`; an explicit extension loads even with `--no-extensions`). It registers one
 * command, through which the harness sets the session's loadout before each turn (loadout.ts), and
 * applies that loadout whenever a run of the session starts:
 *
 * - the tools: the list the model is offered, in the harness's order (pi starts with every tool
 *   any role may use, so one warm process can host every role), and the set the turn may call —
 *   a call to an offered tool outside it is refused, with the reason, as a blocked call;
 * - the system prompt: the harness's own for unattended turns, replacing pi's interactive one
 *   for the run, followed by what the user configured for every pi session (an APPEND_SYSTEM.md)
 *   and the project's context files (AGENTS.md ...), which pi's own prompt would carry too.
 *
 * With PI_HARNESS_COMPACT_TOOLS=1 in its environment it also registers pi's own tools again under
 * their names with compact texts (tool-text.ts): same behaviour, fewer bytes in every request.
 *
 * A new session starts without a loadout (pi's own tools and prompt) until the harness sends one.
 * This file runs inside pi: it imports pi's exports, its siblings and Node's builtins only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  createBashToolDefinition,
  createEditToolDefinition,
  createFindToolDefinition,
  createGrepToolDefinition,
  createLsToolDefinition,
  createReadToolDefinition,
  createWriteToolDefinition,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_LINES,
  type ExtensionAPI,
} from '@earendil-works/pi-coding-agent';
import {
  COMPACT_TOOLS_ENV,
  fullSystemPrompt,
  LOADOUT_COMMAND,
  parseLoadout,
  refusal,
  type Loadout,
} from './loadout.js';
import { compactToolTexts, withParameterTexts } from './tool-text.js';

/** The tool settings pi would have read from its agent directory's settings.json. */
function toolSettings(): { shellPath?: string; commandPrefix?: string; autoResizeImages?: boolean } {
  const dir = process.env.PI_CODING_AGENT_DIR;
  if (!dir) return {};
  try {
    const settings = JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')) as {
      shellPath?: unknown;
      shellCommandPrefix?: unknown;
      images?: { autoResize?: unknown };
    };
    return {
      ...(typeof settings.shellPath === 'string' ? { shellPath: settings.shellPath } : {}),
      ...(typeof settings.shellCommandPrefix === 'string' ? { commandPrefix: settings.shellCommandPrefix } : {}),
      ...(typeof settings.images?.autoResize === 'boolean' ? { autoResizeImages: settings.images.autoResize } : {}),
    };
  } catch {
    return {};
  }
}

/** pi's built-in tools, registered again under their own names with compact texts. */
function registerCompactTools(pi: ExtensionAPI): void {
  const cwd = process.cwd();
  const settings = toolSettings();
  const texts = compactToolTexts({ maxLines: DEFAULT_MAX_LINES, maxKb: DEFAULT_MAX_BYTES / 1024 });
  const definitions = [
    createReadToolDefinition(cwd, { autoResizeImages: settings.autoResizeImages ?? true }),
    createBashToolDefinition(cwd, {
      ...(settings.shellPath ? { shellPath: settings.shellPath } : {}),
      ...(settings.commandPrefix ? { commandPrefix: settings.commandPrefix } : {}),
    }),
    createEditToolDefinition(cwd),
    createWriteToolDefinition(cwd),
    createLsToolDefinition(cwd),
    createFindToolDefinition(cwd),
    createGrepToolDefinition(cwd),
  ];
  for (const definition of definitions) {
    const text = texts[definition.name];
    if (!text) continue;
    // pi's definitions differ in their parameter types; registration only needs the common shape.
    pi.registerTool({
      ...definition,
      description: text.description,
      parameters: withParameterTexts(definition.parameters, text.parameters),
    } as Parameters<ExtensionAPI['registerTool']>[0]);
  }
}

export default function piHarnessLoadout(pi: ExtensionAPI): void {
  if (process.env[COMPACT_TOOLS_ENV] === '1') registerCompactTools(pi);
  let loadout: Loadout | undefined;
  pi.on('session_start', () => {
    loadout = undefined;
  });
  pi.registerCommand(LOADOUT_COMMAND, {
    description: 'pi-harness: the tools and system prompt of the next runs (sent by the harness)',
    handler: async (args) => {
      const parsed = parseLoadout(args);
      if (!parsed) throw new Error(`${LOADOUT_COMMAND}: the argument is not a loadout`);
      loadout = parsed;
      pi.setActiveTools([...parsed.tools]);
    },
  });
  // Every role is offered the same tool list (a prefix cache keeps it); a role's own set is kept here.
  pi.on('tool_call', (event) => {
    const reason = refusal(loadout, event.toolName);
    return reason === undefined ? undefined : { block: true, reason };
  });
  pi.on('before_agent_start', (event) => {
    if (!loadout) return undefined;
    // Both: an edited list wins for this run, and the live set keeps it for runs pi starts itself.
    pi.setActiveTools([...loadout.tools]);
    event.systemPromptOptions.selectedTools = [...loadout.tools];
    if (loadout.systemPrompt === undefined) return undefined;
    return { systemPrompt: fullSystemPrompt(loadout.systemPrompt, event.systemPromptOptions) };
  });
}
