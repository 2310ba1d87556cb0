/**
 * Carries out a clear plan under the run lock, so no run can start halfway through. The lock file
 * usually lives inside the runtime directory being removed: everything else goes first, the lock
 * is released, and only then are the now-empty directories around it removed — with rmdir, which
 * refuses a directory that a run starting in that instant has already written to.
 */
import { lstat, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { acquireRunLock, type RunLock } from '../runtime/lock.js';
import { newRunId } from '../runtime/run-id.js';
import type { PlannedTarget } from './plan.js';
import { isWithin } from './targets.js';

const exists = (file: string) =>
  lstat(file).then(
    () => true,
    () => false,
  );

/** Removes `target` except `keep` and the directories leading to it. Never follows symlinks. */
async function removeExcept(target: string, keep: string): Promise<void> {
  if (target === keep) return;
  const info = await lstat(target).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory() || !isWithin(keep, target)) {
    await rm(target, { recursive: true, force: true });
    return;
  }
  for (const name of await readdir(target)) await removeExcept(path.join(target, name), keep);
}

async function removeTarget(target: PlannedTarget, keep: string): Promise<void> {
  if (target.judgement.kind !== 'remove') return;
  // A symlink goes as a link: what it points to is not ours to judge.
  if (target.judgement.type === 'symlink') await unlink(target.path).catch(() => undefined);
  else await removeExcept(target.path, keep);
}

/** Directories from `dir` up to (and including) `top`, deepest first. */
function chain(dir: string, top: string): string[] {
  const dirs: string[] = [];
  for (let current = dir; isWithin(current, top); current = path.dirname(current)) {
    dirs.push(current);
    if (current === top) break;
  }
  return dirs;
}

export interface RemoveResult {
  /** Targets still present afterwards (each one is an error). */
  remaining: string[];
}

/**
 * Takes the lock (throws LockHeldError when a live run holds it), removes `targets`, releases the
 * lock and checks that every target is gone.
 */
export async function removeTargets(
  targets: readonly PlannedTarget[],
  lockFile: string,
  repoRoot: string,
): Promise<RemoveResult> {
  // Directories the lock itself will create, so that they go too.
  const lockDirs = chain(path.dirname(lockFile), repoRoot);
  const missingBefore = new Set<string>();
  for (const dir of lockDirs) if (!(await exists(dir))) missingBefore.add(dir);

  const lock: RunLock = await acquireRunLock({
    lockFile,
    runId: `clear-history-${newRunId()}`,
    command: 'pi-harness clear-history',
    status: 'clearing history',
    heartbeatIntervalMs: 0,
  });
  try {
    for (const target of targets) await removeTarget(target, lockFile);
  } finally {
    await lock.release();
  }
  const holders = targets.filter((target) => isWithin(lockFile, target.path)).map((target) => target.path);
  for (const dir of lockDirs) {
    if (!missingBefore.has(dir) && !holders.some((holder) => isWithin(dir, holder))) break;
    await rmdir(dir).catch(() => undefined); // not empty: a run started meanwhile; it stays
  }
  const remaining: string[] = [];
  for (const target of targets) if (await exists(target.path)) remaining.push(target.path);
  return { remaining };
}
