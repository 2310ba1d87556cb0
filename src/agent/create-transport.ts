/** Builds the transport the configuration asks for, with pi made aware of the configured models. */
import type { Config } from '../config/load.js';
import { createMockTransport } from './mock/mock-transport.js';
import { preparePiAgentDir } from './pi-models.js';
import { createRpcTransport } from './rpc/rpc-transport.js';
import type { TransportEventListener } from './rpc/transport-events.js';
import type { Transport } from './types.js';

/** What every pi process is launched with on top of the configuration (the guardrails). */
export interface PiLaunchExtras {
  /** Extensions pi loads by absolute path (loaded even with piNoExtensions). */
  extensions: readonly string[];
  /** Environment for pi, on top of everything else. */
  env: Record<string, string>;
}

export interface TransportSetup {
  transport: Transport;
  /** Things to tell the user (never secret values). */
  warnings: string[];
}

export async function createTransport(
  config: Config,
  runDir: string,
  env: NodeJS.ProcessEnv,
  onEvent?: TransportEventListener,
  extras?: PiLaunchExtras,
): Promise<TransportSetup> {
  if (config.transport === 'mock') return { transport: createMockTransport(), warnings: [] };
  const agent = await preparePiAgentDir({ runDir, models: { ...config.models }, env });
  const transport = createRpcTransport({
    ...(config.piCli ? { piCli: config.piCli } : {}),
    runDir,
    baseEnv: env,
    env: { ...agent.env, ...extras?.env },
    ...(extras ? { extensions: extras.extensions } : {}),
    watchdog: {
      continueAfterSeconds: config.continueAfterSeconds,
      toolContinueAfterSeconds: config.toolContinueAfterSeconds,
      noEventTimeoutSeconds: config.noEventTimeoutSeconds,
      toolNoEventTimeoutSeconds: config.toolNoEventTimeoutSeconds,
      agentTimeoutSeconds: config.agentTimeoutSeconds,
    },
    loops: { loopRepeatThreshold: config.loopRepeatThreshold, samePathRepeatThreshold: config.samePathRepeatThreshold },
    noExtensions: config.piNoExtensions,
    noSkills: config.piNoSkills,
    noPromptTemplates: config.piNoPromptTemplates,
    // Every pi may host every role: it starts with all the tools any role gets, and each turn's
    // loadout (its role's tools, its system prompt) is applied to its session.
    toolUniverse: config.piTools,
    // The harness's system prompt leaves tool guidance to the tools' own (compact) texts.
    compactTools: config.systemPrompt === 'harness',
    modelEndpoints: Object.fromEntries(
      Object.entries(config.models).map(([name, e]) => [
        name,
        { baseUrl: e.baseUrl, contextWindow: e.contextWindow, maxTokens: e.maxTokens },
      ]),
    ),
    ...(onEvent ? { onEvent } : {}),
  });
  return { transport, warnings: agent.warnings };
}
