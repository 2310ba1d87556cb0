/**
 * `runPreflight`: every check at once (they are independent; the slow ones wait on the network or
 * on pi), results in a fixed order. Used by `doctor` and, before anything is touched, by `once`
 * and `run`, which exit 4 when `ok` is false.
 */
import type { Config } from '../config/load.js';
import { preflightChecks } from './checks.js';
import { resolvePiLauncher, type PiLauncher } from './pi-launcher.js';
import { PiModelProbe } from './pi-model-probe.js';
import {
  DEFAULT_TIMEOUTS,
  type Check,
  type CheckContext,
  type CheckResult,
  type PreflightOptions,
  type PreflightResult,
} from './types.js';
import { errorMessage } from '../util/errors.js';

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= make());
}

/** A check that throws is a bug in the check, but it must still end as a readable failure. */
async function runSafely(check: Check, context: CheckContext): Promise<CheckResult> {
  try {
    return await check.run(context);
  } catch (error) {
    return {
      id: check.id,
      title: check.title,
      status: 'fail',
      detail: `the check itself failed: ${errorMessage(error)}`,
    };
  }
}

export async function runPreflight(config: Config, options: PreflightOptions = {}): Promise<PreflightResult> {
  const env = options.env ?? process.env;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const launcher = once<PiLauncher>(() => resolvePiLauncher(config.piCli, { env, cwd: config.repoRoot }));
  const piModels = new PiModelProbe({ config, env, timeoutMs: timeouts.spawnMs, launcher });
  const context: CheckContext = {
    config,
    env,
    timeouts,
    launcher,
    piModels,
    ...(options.trustBundledPi ? { trustBundledPi: true } : {}),
  };
  try {
    const skipped = new Set(options.skip ?? []);
    const selected = preflightChecks(config).filter(
      (check) => !skipped.has(check.id) && !skipped.has(check.id.split(':')[0]!),
    );
    const checks = await Promise.all(selected.map((check) => runSafely(check, context)));
    return { checks, ok: checks.every((check) => check.status !== 'fail') };
  } finally {
    await piModels.close();
  }
}
