/**
 * Sets the demo up and tears it down: the repo, the in-process scripted model, the configuration
 * (read back through the real loader, from the pi.config.json the repo holds) and the environment
 * the loop runs with. The loop itself is the unmodified `run` (see cli/commands/demo.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from '../vocabulary/io.js';
import { envBindings } from '../config/env.js';
import { loadConfig, type Config, DEFAULT_CONFIG_FILE } from '../config/load.js';
import { startScriptedModel, type ScriptedModelServer } from '../scripted-model/index.js';
import { createDemoRepo, prepareDemoDir } from './repo.js';
import { DEMO_MODEL, DEMO_TASKS, STARTING_FILES, TEST_COMMAND } from './project.js';
import { demoScript } from './script.js';
import { introText, outroText } from './story.js';

/** The variable pi reads the demo model's key from; the key is random and lives only in memory. */
const KEY_VARIABLE = 'PI_HARNESS_DEMO_KEY';

export interface DemoOptions {
  /** Where to build the demo repo (empty or new); default a new temporary directory. */
  dir?: string;
  /** Remove the demo repo after a successful run. */
  clean?: boolean;
  /** Serve the dashboard during the demo and after it, until Ctrl-C. */
  dashboard?: boolean;
}

export interface PreparedDemo {
  dir: string;
  config: Config;
  /** The io the loop runs with: the demo repo as cwd, the demo's environment. */
  loopIo: CliIo;
  /** Prints what happened and where to look; removes the repo when asked and all went well. */
  finish(exitCode: number): Promise<void>;
  /** Stops the scripted model. */
  close(): Promise<void>;
}

/** The pi.config.json of the demo: a small, readable example of a real configuration. */
function demoConfig(baseUrl: string): Record<string, unknown> {
  return {
    piModel: DEMO_MODEL,
    models: { [DEMO_MODEL]: { baseUrl, apiKeyEnv: KEY_VARIABLE } },
    testCommand: TEST_COMMAND,
    verificationTimeoutSeconds: 60,
    noEventTimeoutSeconds: 30,
    agentTimeoutSeconds: 120,
    sleepBetweenSeconds: 0,
    piNoExtensions: true,
    piNoSkills: true,
    piNoPromptTemplates: true,
  };
}

/**
 * The user's environment without anything that would steer the harness away from the demo's
 * own configuration (PI_MODEL, PI_TEST_CMD, PI_TRANSPORT, PI_CONFIG_FILE, ...).
 */
function demoEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const { variable } of envBindings()) delete env[variable];
  delete env.PI_CONFIG_FILE;
  return { ...env, ...extra };
}

export async function prepareDemo(options: DemoOptions, io: CliIo): Promise<PreparedDemo> {
  const dir = await prepareDemoDir(options.dir, io.cwd);
  const apiKey = randomUUID();
  const server: ScriptedModelServer = await startScriptedModel({
    script: demoScript(),
    apiKey,
    modelId: DEMO_MODEL.split('/')[1],
  });
  try {
    const configFile = path.join(dir, DEFAULT_CONFIG_FILE);
    const files = {
      ...STARTING_FILES,
      [DEFAULT_CONFIG_FILE]: `${JSON.stringify(demoConfig(server.baseUrl), null, 2)}\n`,
    };
    await createDemoRepo(dir, files, `Start textkit: capitalize() and ${DEMO_TASKS.length} tasks`);

    // An empty pi agent dir to inherit from, so the user's own ~/.pi settings and logins stay out.
    const noUserPi = path.join(dir, '.pi-harness', 'no-user-pi-config');
    await mkdir(noUserPi, { recursive: true });
    const env = demoEnv(io.env, { [KEY_VARIABLE]: apiKey, PI_CODING_AGENT_DIR: noUserPi });
    const { config } = await loadConfig({ repoRoot: dir, cwd: dir, configFile, env });

    io.stdout(introText({ dir, baseUrl: server.baseUrl, tasks: DEMO_TASKS }));
    return {
      dir,
      config,
      loopIo: { ...io, cwd: dir, env },
      finish: async (exitCode) => {
        const clean = options.clean === true && exitCode === 0;
        io.stdout(await outroText({ dir, config, exitCode, cleaned: clean, env: io.env }));
        if (clean) await rm(dir, { recursive: true, force: true });
      },
      close: () => server.close(),
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}
