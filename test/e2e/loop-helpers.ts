/** A temporary consuming repo wired to the scripted model, and a way to run the real CLI loop in it. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  startScriptedModel,
  type RecordedRequest,
  type RolePlans,
  roleScript,
  type ScriptedModelServer,
  type ScriptStep,
} from '../../src/scripted-model/index.js';
import { cli, type CliRun } from '../helpers/cli.js';
import { GIT_TEST_ENV, gitSync, makeRepo } from '../helpers/git-repo.js';

export interface LoopRepo {
  repo: string;
  server: ScriptedModelServer;
  /** The CLI in-process, in the repo (or in `cwd`, e.g. another work tree of it). */
  run(command: 'once' | 'run', env?: NodeJS.ProcessEnv, cwd?: string): Promise<CliRun>;
  /** The built CLI as a separate process (to signal or SIGKILL it); killed on close at the latest. */
  spawnCli(command: 'once' | 'run', env?: NodeJS.ProcessEnv, args?: string[]): SpawnedCli;
  log(): string[];
  show(ref: string, file: string): string;
  filesIn(commit: string): string[];
  close(): Promise<void>;
}

export interface SpawnedCli {
  proc: ChildProcess;
  output: () => string;
  /** The exit code, or 128 + the signal number when killed. */
  exited: Promise<number | null>;
}

const BUILT_CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export interface LoopRepoOptions {
  tasks: string;
  plans: RolePlans;
  config?: Record<string, unknown>;
  files?: Record<string, string>;
  /** Answers requests before the role plans do (e.g. a visual review); undefined hands over to them. */
  script?: (request: RecordedRequest) => ScriptStep | undefined;
  /** The scripted model accepts images (visual review). */
  vision?: boolean;
}

export async function loopRepo(options: LoopRepoOptions): Promise<LoopRepo> {
  const roles = roleScript(options.plans);
  const script = (request: RecordedRequest) => options.script?.(request) ?? roles(request);
  const server = await startScriptedModel({ script, apiKey: 'loop-key' });
  const model = `scripted/${server.modelId}`;
  const endpoint = { baseUrl: server.baseUrl, apiKeyEnv: 'SCRIPTED_KEY', contextWindow: 128000, maxTokens: 4096 };
  const config = {
    piModel: model,
    models: { [model]: { ...endpoint, ...(options.vision ? { vision: true } : {}) } },
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
  const runEnv = {
    ...process.env,
    ...GIT_TEST_ENV,
    SCRIPTED_KEY: 'loop-key',
    PI_CODING_AGENT_DIR: `${repo}/.no-user-pi`,
    // The dashboard's own tests turn it on; elsewhere it would only add a line and a port.
    PI_VISUALIZER: '0',
  };
  const spawned: ChildProcess[] = [];
  return {
    repo,
    server,
    run: (command, env = {}, cwd = repo) => cli([command], { cwd, env: { ...runEnv, ...env } }),
    spawnCli: (command, env = {}, args = []) => {
      let output = '';
      const proc = spawn(process.execPath, [BUILT_CLI, command, ...args], {
        cwd: repo,
        env: { ...runEnv, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      spawned.push(proc);
      proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) =>
        proc.on('exit', (code, signal) => resolve(signal ? 128 + (SIGNAL_NUMBERS[signal] ?? 0) : code)),
      );
      return { proc, output: () => output, exited };
    },
    log: () => gitSync(repo, 'log', '--format=%s').trim().split('\n'),
    show: (ref, file) => execFileSync('git', ['show', `${ref}:${file}`], { cwd: repo, encoding: 'utf8' }),
    filesIn: (commit) =>
      gitSync(repo, 'show', '--name-only', '--format=', commit).trim().split('\n').filter(Boolean).sort(),
    close: async () => {
      for (const proc of spawned) proc.kill('SIGKILL');
      await server.close();
    },
  };
}

export const bash = (command: string): ScriptStep => ({
  kind: 'tool_calls',
  calls: [{ name: 'bash', arguments: { command } }],
});
export const write = (path: string, content: string): ScriptStep => ({
  kind: 'tool_calls',
  calls: [{ name: 'write', arguments: { path, content } }],
});
export const say = (text: string): ScriptStep => ({ kind: 'text', text });
/** pi's edit tool: one exact replacement of `oldText` by `newText` in `path`. */
export const edit = (path: string, oldText: string, newText: string): ScriptStep => ({
  kind: 'tool_calls',
  calls: [{ name: 'edit', arguments: { path, edits: [{ oldText, newText }] } }],
});
