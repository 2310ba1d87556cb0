/**
 * Asks pi which models it can use, the way a run would set it up: a private, temporary agent dir
 * prepared by preparePiAgentDir from the user's own (PI_CODING_AGENT_DIR or ~/.pi/agent) plus the
 * configured `models`. The user's agent dir is only read, never written — pi creates files in
 * whatever agent dir it is given, so it is never given the user's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { preparePiAgentDir } from '../agent/pi-models.js';
import type { Config } from '../config/load.js';
import type { PiLauncher } from './pi-launcher.js';
import { errorLine, spawnCapture } from './spawn-capture.js';
import { errorMessage } from '../util/errors.js';

export interface PiModelRow {
  provider: string;
  id: string;
}

export type PiModelListing = { ok: true; rows: PiModelRow[] } | { ok: false; problem: string };

export type PiAuthState = 'ready' | 'no-credentials' | 'unknown-provider' | 'unknown';

/** The agent dir a run would inherit from, read from the environment the harness runs with. */
export function userAgentDir(env: NodeJS.ProcessEnv): string {
  const configured = env.PI_CODING_AGENT_DIR;
  if (configured)
    return configured === '~' || configured.startsWith('~/') ? path.join(homedir(), configured.slice(1)) : configured;
  return path.join(homedir(), '.pi', 'agent');
}

/**
 * `pi --list-models` prints a table — a `provider  model  context ...` header, then one row per
 * model — or a sentence such as "No models available" when it has none. Only rows after the
 * header count.
 */
export function parseModelTable(output: string): PiModelRow[] {
  const rows: PiModelRow[] = [];
  let inTable = false;
  for (const line of output.split(/\r?\n/)) {
    const [provider, id] = line.trim().split(/\s+/);
    if (!inTable) {
      inTable = provider === 'provider' && id === 'model';
      continue;
    }
    if (provider && id) rows.push({ provider, id });
  }
  return rows;
}

export interface PiModelProbeOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  launcher: () => Promise<PiLauncher>;
}

/** One probe per preflight: the agent dir is prepared once and removed by `close`. */
export class PiModelProbe {
  private readonly options: PiModelProbeOptions;
  private tempDir: string | undefined;
  private agentEnv: Promise<{ env: Record<string, string> } | { problem: string }> | undefined;
  private listing: Promise<PiModelListing> | undefined;

  constructor(options: PiModelProbeOptions) {
    this.options = options;
  }

  private prepare(): Promise<{ env: Record<string, string> } | { problem: string }> {
    this.agentEnv ??= (async () => {
      try {
        this.tempDir = await mkdtemp(path.join(tmpdir(), 'pi-harness-doctor-'));
        const agent = await preparePiAgentDir({
          runDir: this.tempDir,
          models: { ...this.options.config.models },
          userAgentDir: userAgentDir(this.options.env),
        });
        return { env: agent.env };
      } catch (error) {
        return { problem: errorMessage(error) };
      }
    })();
    return this.agentEnv;
  }

  private async runPi(
    args: readonly string[],
  ): Promise<{ ok: true; stdout: string; stderr: string; code: number | null } | { ok: false; problem: string }> {
    const launcher = await this.options.launcher();
    if (!launcher.found) return { ok: false, problem: `pi cannot be started (${launcher.problem})` };
    const agent = await this.prepare();
    if ('problem' in agent) return { ok: false, problem: agent.problem };
    const run = await spawnCapture(launcher.command, [...launcher.prefixArgs, ...args], {
      cwd: this.options.config.repoRoot,
      env: { ...this.options.env, ...agent.env },
      timeoutMs: this.options.timeoutMs,
    });
    if (run.startError) return { ok: false, problem: `pi did not start (${run.startError})` };
    if (run.timedOut)
      return { ok: false, problem: `pi ${args[0]} gave no answer within ${this.options.timeoutMs / 1000} s` };
    return { ok: true, stdout: run.stdout, code: run.code, stderr: run.stderr };
  }

  /** Every model pi can use (it lists only providers it has credentials for). */
  list(): Promise<PiModelListing> {
    this.listing ??= (async (): Promise<PiModelListing> => {
      const run = await this.runPi(['--list-models']);
      if (!run.ok) return run;
      if (run.code !== 0)
        return { ok: false, problem: `pi --list-models failed: ${errorLine(run.stderr) || `exit ${run.code}`}` };
      return { ok: true, rows: parseModelTable(run.stdout) };
    })();
    return this.listing;
  }

  /** Why pi cannot use `model`: no credentials for its provider, or a provider it does not know. */
  async auth(model: string): Promise<PiAuthState> {
    const run = await this.runPi(['auth', 'check', '--model', model, '--json', '--no-refresh']);
    if (!run.ok) return 'unknown';
    try {
      const answer = JSON.parse(run.stdout) as { status?: string };
      if (answer.status === 'ready') return 'ready';
      if (answer.status === 'not_ready') return 'no-credentials';
      if (answer.status === 'invalid') return 'unknown-provider';
    } catch {
      // an older pi without `auth check --json`
    }
    return 'unknown';
  }

  async close(): Promise<void> {
    await this.agentEnv;
    if (this.tempDir !== undefined) await rm(this.tempDir, { recursive: true, force: true });
  }
}
