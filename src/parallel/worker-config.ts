/**
 * The configuration a worker's iteration runs with: the same settings, with the repository's own
 * files (the task file, the role instructions) read from the worker's worktree, the harness's
 * files left where the run keeps them, and a state file of the worker's own, so that iterations in
 * flight at once each record themselves for crash recovery.
 */
import path from 'node:path';
import type { Config } from '../config/load.js';
import { PATH_FIELDS } from '../config/schema.js';
import type { HarnessHome } from '../runtime/harness-home.js';
import { StateStore } from '../runtime/state.js';

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Where a worker's iteration records itself: `<harness home>/parallel/<runId>-<iteration>.state.json`,
 * beside the run's own state under the git directory, where neither `git clean -fdx` nor an agent
 * removing the runtime directory reaches it.
 */
export function workerStateFile(home: HarnessHome, runId: string, iteration: number): string {
  return path.join(workerStateDir(home), `${runId}-${iteration}.state.json`);
}

export function workerStateDir(home: HarnessHome): string {
  return path.join(home.dir, 'parallel');
}

/** A worker iteration's own state store: its file alone, no projection in the work tree. */
export function workerStore(stateFile: string): StateStore {
  return new StateStore({ stateFile, stateProjection: stateFile });
}

export function workerConfig(config: Config, worktree: string, stateFile: string): Config {
  const derived: Record<string, unknown> = { ...config, repoRoot: worktree, stateFile };
  for (const field of PATH_FIELDS) {
    const value = config[field];
    if (typeof value !== 'string' || field === 'piRuntimeDir' || field === 'stateFile') continue;
    if (value === config.piRuntimeDir || isInside(config.piRuntimeDir, value)) continue;
    if (isInside(config.repoRoot, value)) derived[field] = path.join(worktree, path.relative(config.repoRoot, value));
  }
  return Object.freeze(derived) as Config;
}
