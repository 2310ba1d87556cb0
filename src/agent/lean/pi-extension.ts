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
 * With PI_HARNESS_COMPACT_TOOLS=1 in its environment it also gives pi's tools compact texts in
 * every provider request (tool-text.ts): same tools, fewer bytes.
 *
 * A new session starts without a loadout (pi's own tools and prompt) until the harness sends one.
 * This file runs inside pi: it imports its siblings and pi's types only. Importing pi's modules at
 * runtime would give pi a second copy of them (extensions load through jiti): +50 MiB per pi.
 */
import type { ExtensionAPI } from '@earendil-works/pi-coding-agent';
import {
  COMPACT_TOOLS_ENV,
  fullSystemPrompt,
  LOADOUT_COMMAND,
  parseLoadout,
  refusal,
  type Loadout,
} from './loadout.js';
import { compactPayloadTools } from './tool-text.js';

export default function piHarnessLoadout(pi: ExtensionAPI): void {
  if (process.env[COMPACT_TOOLS_ENV] === '1')
    pi.on('before_provider_request', (event) => compactPayloadTools(event.payload));
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
