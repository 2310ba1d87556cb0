/**
 * Where the runs of this repository are, for the commands and views that look at them from outside
 * (`status`, the control commands, the dashboard): the lock that names the active run, each run's
 * journal, and the active run's control inbox. Every path is derived here, from the existing
 * helpers (the lock reader, the run directories), so a move of the harness's files is one edit.
 */
import path from 'node:path';
import type { Config } from '../config/load.js';
import { controlDirOf, harnessHomeOf } from '../control/location.js';
import { readLock, type LiveHolder, type LockView } from './live-run.js';
import { JOURNAL_FILE, listRunDirs } from './run-dirs.js';

/** What finding a run takes from the configuration (`status` reads just this, without the validator). */
export type RunFiles = Pick<Config, 'piRuntimeDir' | 'activeRunFile'>;

/** The lock file that names the active run. */
export function lockFileOf(config: RunFiles): string {
  return config.activeRunFile;
}

/** The runs directory: one `<runId>/journal.jsonl` per run. */
export function runsRootOf(config: Pick<Config, 'piRuntimeDir'>): string {
  return config.piRuntimeDir;
}

export function journalOf(config: Pick<Config, 'piRuntimeDir'>, runId: string): string {
  return path.join(runsRootOf(config), 'runs', runId, JOURNAL_FILE);
}

export type RunLookup =
  /** A run holds the lock and is alive. */
  | { kind: 'active'; holder: LiveHolder; journal: string }
  /** No run is active; the newest run's journal, if there ever was one (`stale`: a lock its run left behind). */
  | {
      kind: 'idle';
      latest: { runId: string; journal: string } | undefined;
      stale?: Extract<LockView, { kind: 'stale' }>;
    };

/** The active run, else the newest one. */
export async function findRun(config: RunFiles): Promise<RunLookup> {
  const lock = await readLock(lockFileOf(config));
  if (lock.kind === 'live')
    return { kind: 'active', holder: lock.holder, journal: journalOf(config, lock.holder.runId) };
  const latest = (await listRunDirs(runsRootOf(config)))[0];
  return {
    kind: 'idle',
    latest: latest ? { runId: latest.runId, journal: latest.journal } : undefined,
    ...(lock.kind === 'stale' ? { stale: lock } : {}),
  };
}

/** The control inbox of a run. */
export async function inboxOf(config: Config, runId: string): Promise<string> {
  return controlDirOf(await harnessHomeOf(config.repoRoot), runId);
}
