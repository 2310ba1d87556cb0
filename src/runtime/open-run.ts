/**
 * The start of anything that works on the repo under the run lock (`once`, `run`, `visual-once`):
 * a new run id and directory, the runtime dir kept out of git, and the lock — or the live holder
 * when another run has it.
 */
import { mkdir } from 'node:fs/promises';
import type { Config } from '../config/load.js';
import { excludeFromGit } from '../workspace/exclude.js';
import { acquireRunLock, LockHeldError, type RunLock } from './lock.js';
import { newRunId, runDirectory } from './run-id.js';

export type OpenedRun =
  | { kind: 'open'; runId: string; runDir: string; lock: RunLock }
  | { kind: 'held'; error: LockHeldError };

export async function openRun(config: Config, command: string, status?: string): Promise<OpenedRun> {
  const runId = newRunId();
  const runDir = runDirectory(config.piRuntimeDir, runId);
  await mkdir(runDir, { recursive: true });
  // Outside a git repository there is nothing to exclude from (visual-once works there too).
  await excludeFromGit(config.repoRoot, config.piRuntimeDir).catch(() => false);
  try {
    const lock = await acquireRunLock({
      lockFile: config.activeRunFile,
      runId,
      command,
      ...(status ? { status } : {}),
    });
    return { kind: 'open', runId, runDir, lock };
  } catch (error) {
    if (error instanceof LockHeldError) return { kind: 'held', error };
    throw error;
  }
}
