/**
 * One benchmark run: a fresh temp git repo with the workload, the scripted model on a local port,
 * and `pi-harness run` executed in-process for real (real pi children over RPC, real git, real
 * `node --test`). Returns the raw material — journal events and the model server's request
 * records — for measure.ts to turn into figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { ReadEvent } from '../journal/decode.js';
import { readJournalFile } from '../journal/read.js';
import { runLoop } from '../loop/run-loop.js';
import { harnessHome, listRunJournals } from '../runtime/harness-home.js';
import { exitCodeOf } from '../vocabulary/exit-codes.js';
import { roleScript, startScriptedModel, type RecordedRequest, type ScriptStep } from '../scripted-model/index.js';
import { watchPiProcesses, type PiProcessPeak } from './pi-processes.js';
import { watchWithDashboard } from './sse-clients.js';
import { INITIAL_FILES, PLANS, TASK_FILE, TEST_COMMAND } from './workload.js';

export interface RunOptions {
  /** Simulated model latency added to every model reply (default 0: measure the harness alone). */
  modelDelayMs: number;
  /** Leave the temp repo in place for inspection. */
  keep: boolean;
  /** Serve the dashboard during the run with this many event-stream clients connected (dashboard bench). */
  sseClients?: number;
}

export interface RawRun {
  exitCode: number;
  /** The whole `pi-harness run`, as the user waits for it. */
  wallMs: number;
  events: ReadEvent[];
  requests: RecordedRequest[];
  pi: PiProcessPeak | undefined;
  /** The harness's console output, for diagnosing a run that went wrong. */
  output: string;
  repo: string;
  /** With `sseClients`: the bytes each event-stream client received. */
  sseBytes?: number[];
}

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
};
const API_KEY = 'bench-key';

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, ...GIT_IDENTITY } });
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

function harnessConfig(baseUrl: string, modelId: string): Record<string, unknown> {
  const model = `scripted/${modelId}`;
  return {
    piModel: model,
    models: { [model]: { baseUrl, apiKeyEnv: 'BENCH_MODEL_KEY', contextWindow: 128000, maxTokens: 4096 } },
    testCommand: TEST_COMMAND,
    sleepBetweenSeconds: 0,
    // Generous for a scripted model, but a broken run fails in seconds rather than hanging.
    noEventTimeoutSeconds: 30,
    agentTimeoutSeconds: 120,
  };
}

async function readJournal(repo: string): Promise<ReadEvent[]> {
  const { config } = await loadConfig({ repoRoot: repo, cwd: repo, env: {} });
  const [run] = listRunJournals(await harnessHome(config));
  return run ? readJournalFile(run.journal).events : [];
}

/** Adds `delayMs` to every scripted reply: a crude stand-in for a model's time to answer. */
function withDelay(script: (request: RecordedRequest) => ScriptStep, delayMs: number) {
  if (delayMs <= 0) return script;
  return (request: RecordedRequest): ScriptStep => ({ ...script(request), delayMs });
}

export async function runOnce(options: RunOptions): Promise<RawRun> {
  const root = await mkdtemp(path.join(tmpdir(), 'pi-harness-bench-'));
  const repo = path.join(root, 'repo');
  // An empty pi agent dir outside the repo: the user's own ~/.pi must not colour the figures.
  const agentDir = path.join(root, 'pi-agent-home');
  await mkdir(agentDir, { recursive: true });
  const server = await startScriptedModel({
    script: withDelay(roleScript(PLANS), options.modelDelayMs),
    apiKey: API_KEY,
  });
  try {
    await writeFiles(repo, {
      ...INITIAL_FILES,
      'TODOS.md': TASK_FILE,
      'pi.config.json': `${JSON.stringify(harnessConfig(server.baseUrl, server.modelId), null, 2)}\n`,
    });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'config', 'user.name', GIT_IDENTITY.GIT_AUTHOR_NAME);
    git(repo, 'config', 'user.email', GIT_IDENTITY.GIT_AUTHOR_EMAIL);
    git(repo, 'config', 'commit.gpgsign', 'false');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'initial');

    let output = '';
    const collect = (text: string) => {
      output += text;
    };
    const watcher = watchPiProcesses(root);
    const started = performance.now();
    // `pi-harness run` as the CLI runs it: the configuration the repo holds, then the loop.
    const env = { ...process.env, ...GIT_IDENTITY, BENCH_MODEL_KEY: API_KEY, PI_CODING_AGENT_DIR: agentDir };
    const { config } = await loadConfig({ repoRoot: repo, cwd: repo, env });
    const watchers =
      options.sseClients === undefined ? undefined : await watchWithDashboard(config, options.sseClients);
    let outcome;
    try {
      outcome = await runLoop({
        mode: 'run',
        config,
        io: { cwd: repo, env, stdout: collect, stderr: collect },
        signal: new AbortController().signal,
        ...(watchers ? { onRunOpened: watchers.attach } : {}),
      });
    } finally {
      await watchers?.close();
    }
    const exitCode = exitCodeOf(outcome);
    const wallMs = performance.now() - started;
    const pi = watcher.stop();
    const sse = watchers ? { sseBytes: watchers.bytes } : {};
    return {
      exitCode,
      wallMs,
      events: await readJournal(repo),
      requests: [...server.requests],
      pi,
      output,
      repo,
      ...sse,
    };
  } finally {
    await server.close();
    if (!options.keep) await rm(root, { recursive: true, force: true });
  }
}
