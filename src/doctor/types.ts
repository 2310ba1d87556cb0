/**
 * The shape of a preflight check. A check never throws: everything it finds, including its own
 * trouble (a command that would not start, a timeout), becomes a status and a sentence a person
 * can act on.
 */
import type { Config } from '../config/load.js';
import type { PiLauncher } from './pi-launcher.js';
import type { PiModelProbe } from './pi-model-probe.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable machine name, e.g. `git`, `task-file`, `model:local/qwen`. */
  id: string;
  /** Short human name shown in the first column. */
  title: string;
  status: CheckStatus;
  /** What was found. Never contains a secret value. */
  detail: string;
  /** What to do about a warning or a failure. */
  fix?: string;
}

export interface PreflightTimeouts {
  /** Per HTTP request to a model endpoint. */
  httpMs: number;
  /** Per spawned command (`pi --version`, `pi --list-models`, `node --version`). */
  spawnMs: number;
}

export const DEFAULT_TIMEOUTS: PreflightTimeouts = { httpMs: 5_000, spawnMs: 15_000 };

export interface PreflightOptions {
  /** The environment the harness (and so pi and the test command) runs with. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  timeouts?: Partial<PreflightTimeouts>;
  /** Checks not to run, by id (`worktree`) or id family (`model` skips every `model:...`). */
  skip?: readonly string[];
  /**
   * The pi installed with pi-harness, run by the harness's own Node, is taken at its package's
   * word (its version read, `pi --version` not started): a run starts that pi for its first turn
   * anyway, and a Node start of pi costs seconds on a loaded machine. `doctor` starts it.
   */
  trustBundledPi?: boolean;
}

/** What every check gets: the config, the environment and shared, memoised probes. */
export interface CheckContext {
  config: Config;
  env: NodeJS.ProcessEnv;
  timeouts: PreflightTimeouts;
  /** How a run would start pi (resolved once). */
  launcher(): Promise<PiLauncher>;
  /** Asks pi about models not declared in `models` (one private agent dir per preflight). */
  piModels: PiModelProbe;
  /** PreflightOptions.trustBundledPi. */
  trustBundledPi?: boolean;
}

export interface Check {
  id: string;
  title: string;
  run(context: CheckContext): Promise<CheckResult>;
}

export interface PreflightResult {
  checks: CheckResult[];
  /** True when no check failed (warnings do not block a run). */
  ok: boolean;
}

export type Report = (status: CheckStatus, detail: string, fix?: string) => CheckResult;

/** A check whose body reports through `report`, so it never repeats its own id and title. */
export function defineCheck(
  id: string,
  title: string,
  run: (context: CheckContext, report: Report) => Promise<CheckResult>,
): Check {
  const report: Report = (status, detail, fix) => ({
    id,
    title,
    status,
    detail,
    ...(fix !== undefined ? { fix } : {}),
  });
  return { id, title, run: (context) => run(context, report) };
}
