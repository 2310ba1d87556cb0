/**
 * The runtime directory in the work tree can vanish mid-run: an agent's `git clean -fdx` or
 * `rm -rf .pi-harness`. Nothing in it is a source of truth (the lock, the state and the journals
 * live out of the work tree's reach), so losing it loses no record: it is recreated and every
 * projection the journals can tell is written again — every kept run, oldest first, so that the
 * histories (telemetry, token usage, the log) read as they did.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Config } from '../config/load.js';
import type { Redactor } from '../redact/index.js';
import { listRunJournals, type HarnessHome } from '../runtime/harness-home.js';
import { errorMessage } from '../util/errors.js';
import { rebuildProjections } from './rebuild.js';

export function runtimeDirGone(home: Pick<HarnessHome, 'runtimeDir'>): boolean {
  return !existsSync(home.runtimeDir);
}

export interface Recreated {
  /** Runs whose projections were written again. */
  runs: number;
  /** Projections that could not be rebuilt (each names its run). */
  problems: string[];
}

/** Recreates the runtime directory and rebuilds the projections of every run that has a journal. */
export function recreateRuntimeDir(
  home: HarnessHome,
  config: Config,
  options: { redactor: Redactor; currentRunId: string },
): Recreated {
  mkdirSync(home.runtimeDir, { recursive: true });
  const problems: string[] = [];
  const runs = listRunJournals(home).reverse();
  for (const run of runs) {
    try {
      rebuildProjections(run.journal, config, {
        redactor: options.redactor,
        // The repo-level "latest" files are the current run's.
        writeLatest: run.runId === options.currentRunId,
        onError: (projection, error) => problems.push(`${run.runId} ${projection}: ${errorMessage(error)}`),
      });
    } catch (error) {
      problems.push(`${run.runId}: ${errorMessage(error)}`);
    }
  }
  return { runs: runs.length, problems };
}
