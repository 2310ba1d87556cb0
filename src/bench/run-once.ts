/**
 * One benchmark run: a fresh temp git repo with the workload, the scripted model on a local port,
 * and `pi-harness run` of one build executed as the user runs it — its CLI in a process of its
 * own (real pi children over RPC, real git, real `node --test`), so that its memory can be read
 * apart from the bench's and another commit's build can run the very same workload. Returns the
 * raw material — journal events, the model server's request records, memory samples — for
 * measure.ts to turn into figures.
 *
 * The dashboard bench's runs (`sseClients`) run this checkout's loop inside the bench process
 * instead, with the dashboard attached to the live run and event-stream clients connected.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/load.js';
import type { ReadEvent } from '../journal/decode.js';
import { readJournalFile } from '../journal/read.js';
import { runLoop } from '../loop/run-loop.js';
import { harnessHome, listRunJournals } from '../runtime/harness-home.js';
import { exitCodeOf } from '../vocabulary/exit-codes.js';
import { roleScript, startScriptedModel, type RecordedRequest, type ScriptStep } from '../scripted-model/index.js';
import { sampleMemory, type MemorySample } from './proc-memory.js';
import { watchWithDashboard } from './sse-clients.js';
import { DEFAULT_WORKLOAD, type Workload } from './workloads.js';

/** A built pi-harness: the CLI entry of its dist/ (this checkout's, or another commit's). */
export interface HarnessBuild {
  /** Shown in reports, e.g. "HEAD" or "52492ab". */
  label: string;
  /** dist/cli/main.js of that build. */
  cli: string;
}

export interface RunOptions {
  build: HarnessBuild;
  /** Simulated model latency added to every model reply (default 0: measure the harness alone). */
  modelDelayMs: number;
  /** Leave the temp repo in place for inspection. */
  keep: boolean;
  /** The tasks and the scripted model's plans (default: the two-phase workload). */
  workload?: Workload;
  /** Tasks worked on at once: `run --parallel N` when N > 1; 1 or unset runs plain `run`. */
  parallel?: number;
  /** How many times the six tasks are repeated (the memory check); 1 for the workload. */
  rounds?: number;
  /** Milliseconds between memory samples. */
  sampleMs?: number;
  /** Extra configuration for the harness (pi.config.json), over the bench's own. */
  config?: Record<string, unknown>;
  /**
   * The dashboard bench: this checkout's loop runs in the bench process, serving the dashboard
   * with this many event-stream clients connected (0: no dashboard at all); `build` is unused.
   */
  sseClients?: number;
}

export interface RawRun {
  exitCode: number;
  /** The whole `pi-harness run`, as the user waits for it: process start to exit. */
  wallMs: number;
  events: ReadEvent[];
  requests: RecordedRequest[];
  /** Memory of the harness process and the pi processes below it, sampled through the run. */
  memory: MemorySample[];
  /** The harness's console output, for diagnosing a run that went wrong. */
  output: string;
  repo: string;
  /** The workload the run played: what each of its tasks was meant to go through. */
  workload?: Workload;
  /** With `sseClients`: the bytes each event-stream client received. */
  sseBytes?: number[];
  /**
   * With `sseClients`: CPU time (user + system) of the bench process while the loop ran — the
   * harness, and the dashboard and its clients when there are any; not pi's or git's processes.
   */
  cpuMs?: number;
}

/** This checkout's own build (dist/ next to this file). */
export function currentBuild(label = 'HEAD'): HarnessBuild {
  return { label, cli: fileURLToPath(new URL('../cli/main.js', import.meta.url)) };
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

function harnessConfig(baseUrl: string, modelId: string, options: RunOptions): Record<string, unknown> {
  const model = `scripted/${modelId}`;
  const rounds = options.rounds ?? 1;
  return {
    piModel: model,
    models: { [model]: { baseUrl, apiKeyEnv: 'BENCH_MODEL_KEY', contextWindow: 128000, maxTokens: 4096 } },
    testCommand: (options.workload ?? DEFAULT_WORKLOAD).testCommand,
    sleepBetweenSeconds: 0,
    ...(rounds > 1 ? { maxIterations: rounds * 6 + 10 } : {}),
    // Generous for a scripted model, but a broken run fails in seconds rather than hanging.
    noEventTimeoutSeconds: 30,
    agentTimeoutSeconds: 120,
    ...options.config,
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

async function prepareRepo(repo: string, config: Record<string, unknown>, workload: Workload, rounds: number) {
  await writeFiles(repo, {
    ...workload.initialFiles,
    'TODOS.md': workload.taskFile(rounds),
    'pi.config.json': `${JSON.stringify(config, null, 2)}\n`,
  });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.name', GIT_IDENTITY.GIT_AUTHOR_NAME);
  git(repo, 'config', 'user.email', GIT_IDENTITY.GIT_AUTHOR_EMAIL);
  git(repo, 'config', 'commit.gpgsign', 'false');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
}

interface CliRun {
  exitCode: number;
  wallMs: number;
  output: string;
  memory: MemorySample[];
}

/** `run`, and `--parallel N` only for N > 1: one worker is plain `run`, which a build without the flag accepts. */
export const cliArgs = (parallel = 1): string[] => (parallel > 1 ? ['run', '--parallel', String(parallel)] : ['run']);

/**
 * `node <build>/dist/cli/main.js run` in the repo, its memory sampled until it exits. The dashboard
 * stays off (the environment, which an older build ignores): the bench measures the loop.
 */
function runCli(
  build: HarnessBuild,
  repo: string,
  run: { env: NodeJS.ProcessEnv; sampleMs: number; parallel?: number },
) {
  const { env, sampleMs } = run;
  const started = performance.now();
  const child = spawn(process.execPath, [build.cli, ...cliArgs(run.parallel)], {
    cwd: repo,
    env: { ...env, PI_VISUALIZER: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const sampler = child.pid === undefined ? { stop: () => [] } : sampleMemory(child.pid, sampleMs);
  return new Promise<CliRun>((resolve) => {
    child.on('error', (error) => {
      output += `\nbench: cannot start ${build.cli}: ${error.message}\n`;
    });
    child.on('close', (code, signal) => {
      const memory = sampler.stop();
      resolve({ exitCode: code ?? (signal ? 128 : 1), wallMs: performance.now() - started, output, memory });
    });
  });
}

/** `pi-harness run` inside the bench process, with `clients` event-stream clients on its dashboard. */
async function runInProcess(repo: string, env: NodeJS.ProcessEnv, clients: number, sampleMs: number) {
  const { config } = await loadConfig({ repoRoot: repo, cwd: repo, env });
  const watchers = clients > 0 ? await watchWithDashboard(config, clients) : undefined;
  let output = '';
  const collect = (text: string) => {
    output += text;
  };
  const sampler = sampleMemory(process.pid, sampleMs);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  try {
    const outcome = await runLoop({
      mode: 'run',
      config,
      io: { cwd: repo, env, stdout: collect, stderr: collect },
      signal: new AbortController().signal,
      ...(watchers ? { onRunOpened: watchers.attach } : {}),
    });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      exitCode: exitCodeOf(outcome),
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      output,
      memory: sampler.stop(),
      ...(watchers ? { sseBytes: watchers.bytes } : {}),
    };
  } finally {
    sampler.stop();
    await watchers?.close();
  }
}

export async function runOnce(options: RunOptions): Promise<RawRun> {
  if (options.sseClients !== undefined && (options.parallel ?? 1) > 1)
    throw new Error('bench: the dashboard bench runs the loop in process, one task at a time (no --parallel)');
  const root = await mkdtemp(path.join(tmpdir(), 'pi-harness-bench-'));
  const repo = path.join(root, 'repo');
  // An empty pi agent dir outside the repo: the user's own ~/.pi must not colour the figures.
  const agentDir = path.join(root, 'pi-agent-home');
  await mkdir(agentDir, { recursive: true });
  const workload = options.workload ?? DEFAULT_WORKLOAD;
  const server = await startScriptedModel({
    script: withDelay(roleScript(workload.plans), options.modelDelayMs),
    apiKey: API_KEY,
  });
  try {
    const rounds = options.rounds ?? 1;
    await prepareRepo(repo, harnessConfig(server.baseUrl, server.modelId, options), workload, rounds);
    const env = { ...process.env, ...GIT_IDENTITY, BENCH_MODEL_KEY: API_KEY, PI_CODING_AGENT_DIR: agentDir };
    const sampleMs = options.sampleMs ?? 200;
    const run =
      options.sseClients === undefined
        ? await runCli(options.build, repo, {
            env,
            sampleMs,
            ...(options.parallel ? { parallel: options.parallel } : {}),
          })
        : await runInProcess(repo, env, options.sseClients, sampleMs);
    return { ...run, events: await readJournal(repo), requests: [...server.requests], repo, workload };
  } finally {
    await server.close();
    if (!options.keep) await rm(root, { recursive: true, force: true });
  }
}
