/**
 * Where the runs of this repository are, for the commands and views that look at them from outside
 * (`status`, the control commands, the dashboard): the lock that names the active run, each run's
 * journal, and the active run's control inbox. Every path is derived here, from the existing
 * helpers (the lock reader, the run directories), so a move of the harness's files is one edit.
 */
import type { Config } from '../config/load.js';
import { controlDirOf } from '../control/location.js';
import { harnessHome, journalFileOf, type GitDirs, type HarnessHome } from '../runtime/harness-home.js';
import { readLock, type LiveHolder, type LockView } from './live-run.js';
import { listRunDirs } from './run-dirs.js';

/** What finding a run takes from the configuration (`status` reads just this, without the validator). */
export type RunFiles = Pick<Config, 'repoRoot' | 'piRuntimeDir' | 'activeRunFile'>;

/** A run's journal: where this version keeps it, or where an earlier version left it. */
export function journalOf(home: HarnessHome, runId: string): string {
  return listRunDirs(home).find((dir) => dir.runId === runId)?.journal ?? journalFileOf(home, runId);
}

export type RunLookup =
  /** A run holds the lock and is alive; `inboxDir` is where its control requests go. */
  | { kind: 'active'; holder: LiveHolder; journal: string; inboxDir: string }
  /** No run is active; the newest run's journal, if there ever was one (`stale`: a lock its run left behind). */
  | {
      kind: 'idle';
      latest: { runId: string; journal: string } | undefined;
      stale?: Extract<LockView, { kind: 'stale' }>;
    };

/** The active run, else the newest one (`dirs`: the repository's git directories, when known already). */
export async function findRun(config: RunFiles, dirs?: GitDirs): Promise<RunLookup> {
  return findRunIn(await harnessHome(config, dirs));
}

/** As findRun, for a caller that holds the harness home already (a poll need not ask git each time). */
export async function findRunIn(home: HarnessHome): Promise<RunLookup> {
  const lock = await readLock(home.lockFile);
  if (lock.kind === 'live') {
    const { holder } = lock;
    const inboxDir = controlDirOf(home.repoDir, holder.runId);
    return { kind: 'active', holder, journal: journalOf(home, holder.runId), inboxDir };
  }
  const latest = listRunDirs(home)[0];
  return {
    kind: 'idle',
    latest: latest ? { runId: latest.runId, journal: latest.journal } : undefined,
    ...(lock.kind === 'stale' ? { stale: lock } : {}),
  };
}
