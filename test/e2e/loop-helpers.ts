/** A temporary consuming repo wired to the scripted model, and a way to run the real CLI loop in it. */
import { execFileSync } from 'node:child_process';
import { startScriptedModel, type RolePlans, roleScript, type ScriptedModelServer, type ScriptStep } from '../../src/scripted-model/index.js';
import { cli, type CliRun } from '../helpers/cli.js';
import { GIT_TEST_ENV, gitSync, makeRepo } from '../helpers/git-repo.js';

export interface LoopRepo {
  repo: string;
  server: ScriptedModelServer;
  run(command: 'once' | 'run', env?: NodeJS.ProcessEnv): Promise<CliRun>;
  log(): string[];
  show(ref: string, file: string): string;
  filesIn(commit: string): string[];
  close(): Promise<void>;
}

export interface LoopRepoOptions {
  tasks: string;
  plans: RolePlans;
  config?: Record<string, unknown>;
  files?: Record<string, string>;
}

export async function loopRepo(options: LoopRepoOptions): Promise<LoopRepo> {
  const server = await startScriptedModel({ script: roleScript(options.plans), apiKey: 'loop-key' });
  const model = `scripted/${server.modelId}`;
  const config = {
    piModel: model,
    models: { [model]: { baseUrl: server.baseUrl, apiKeyEnv: 'SCRIPTED_KEY', contextWindow: 128000, maxTokens: 4096 } },
    testCommand: '',
    sleepBetweenSeconds: 0,
    noEventTimeoutSeconds: 20,
    agentTimeoutSeconds: 60,
    piNoExtensions: true,
    piNoSkills: true,
    piNoPromptTemplates: true,
    ...options.config,
  };
  const repo = await makeRepo({
    'TODOS.md': options.tasks,
    'pi.config.json': JSON.stringify(config, null, 2),
    ...options.files,
  });
  return {
    repo,
    server,
    run: (command, env = {}) =>
      cli([command], { cwd: repo, env: { ...process.env, ...GIT_TEST_ENV, SCRIPTED_KEY: 'loop-key', PI_CODING_AGENT_DIR: `${repo}/.no-user-pi`, ...env } }),
    log: () => gitSync(repo, 'log', '--format=%s').trim().split('\n'),
    show: (ref, file) => execFileSync('git', ['show', `${ref}:${file}`], { cwd: repo, encoding: 'utf8' }),
    filesIn: (commit) => gitSync(repo, 'show', '--name-only', '--format=', commit).trim().split('\n').filter(Boolean).sort(),
    close: () => server.close(),
  };
}

export const bash = (command: string): ScriptStep => ({ kind: 'tool_calls', calls: [{ name: 'bash', arguments: { command } }] });
export const write = (path: string, content: string): ScriptStep => ({ kind: 'tool_calls', calls: [{ name: 'write', arguments: { path, content } }] });
export const say = (text: string): ScriptStep => ({ kind: 'text', text });
