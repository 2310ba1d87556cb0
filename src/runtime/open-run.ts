/**
 * The start of anything that works on the repo under the run lock (`once`, `run`, `visual-once`):
 * the places resolved (harness-home.ts), files of a newer version refused before anything is
 * written, the repository's one lock taken — or the live holder named — and the run's directories
 * made, with the harness's own paths kept out of git.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Config } from '../config/load.js';
import { isObject } from '../util/json.js';
import { harnessHome, runDirOf, runtimeRunDirOf, type HarnessHome } from './harness-home.js';
import { staleReason } from './liveness.js';
import { acquireRunLock, LockHeldError, type RunLock } from './lock.js';
import { readLockText } from './lock-record.js';
import { excludeOwnPaths } from './own-paths.js';
import { newRunId } from './run-id.js';
import { StateStore } from './state.js';

export type OpenedRun =
  | {
      kind: 'open';
      runId: string;
      /** The run's directory out of the work tree's reach: its journal, pi's files. */
      runDir: string;
      home: HarnessHome;
      lock: RunLock;
    }
  | { kind: 'held'; error: LockHeldError };

/**
 * A lock a version before this one holds where the configuration put it (`activeRunFile`, now
 * only a projection): such a run knows nothing of the new place, so it is respected here.
 */
async function olderVersionHolder(file: string, realLock: string): Promise<LockHeldError | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const reading = readLockText(text);
  if (reading.kind !== 'valid') return undefined;
  const value: unknown = JSON.parse(text);
  if (isObject(value) && typeof value.lockFile === 'string' && value.lockFile === realLock) return undefined;
  const holder = reading.record;
  return staleReason(holder, hostname(), new Date()) === undefined ? new LockHeldError(file, holder) : undefined;
}

export async function openRun(config: Config, command: string, status?: string): Promise<OpenedRun> {
  const home = await harnessHome(config);
  await new StateStore(home).checkVersions();
  // Before our own projection is written over it.
  const older = await olderVersionHolder(home.lockProjection, home.lockFile);
  if (older) return { kind: 'held', error: older };
  const runId = newRunId();
  let lock: RunLock;
  try {
    lock = await acquireRunLock({
      lockFile: home.lockFile,
      runId,
      command,
      projection: home.lockProjection,
      ...(status ? { status } : {}),
    });
  } catch (error) {
    if (error instanceof LockHeldError) return { kind: 'held', error };
    throw error;
  }
  const runDir = runDirOf(home, runId);
  await mkdir(runDir, { recursive: true });
  // The run's projection files go here (runtime dir recreated if an earlier agent removed it).
  await mkdir(runtimeRunDirOf(home, runId), { recursive: true });
  // Outside a git repository there is nothing to exclude from (visual-once works there too).
  await excludeOwnPaths(config);
  return { kind: 'open', runId, runDir, home, lock };
}
