/**
 * After a crash: the iteration the harness died in saved its snapshot as it began, so what its
 * agents did to refs, the stash, git config, hooks and ignored files is put back before its work is
 * kept — a branch it deleted and then the kill would otherwise be lost for good. Moves forward
 * (a commit on any branch, yours after the crash included) are left alone: they lose nothing.
 */
import {
  loadSavedSnapshot,
  releaseSnapshot,
  removeSavedSnapshot,
  restoreSnapshot,
  savedSnapshotLabels,
} from '../../guardrails/snapshot/index.js';
import type { LoopContext } from '../loop-context.js';
import { restoreEvent } from './restore-events.js';
import type { RunGuard } from './run-guard.js';

export interface CrashedIteration {
  runId: string;
  iteration: number;
}

/**
 * Puts back what the crashed iteration's agents changed (warn mode: reports it); returns the files
 * ignored at its start that are now visible, which its rescue must not take.
 */
export async function restoreCrashedIteration(
  ctx: LoopContext,
  guard: RunGuard,
  crashed: CrashedIteration,
): Promise<string[]> {
  const { gitCommonDir } = guard.locations;
  const label = `${crashed.runId}-${crashed.iteration}`;
  const snapshot = await loadSavedSnapshot(gitCommonDir, label);
  if (!snapshot) return [];
  let visible: string[] = [];
  if (guard.mode !== 'off') {
    const dryRun = guard.mode === 'warn';
    const result = await restoreSnapshot(snapshot, { ownRefs: { 'refs/': 'fast-forward' }, dryRun });
    for (const record of result.records)
      ctx.journal.append(restoreEvent(record, { moment: 'crash_recovery', iteration: crashed.iteration, dryRun }));
    visible = result.visibleIgnored;
  }
  await releaseSnapshot(snapshot);
  await removeSavedSnapshot(gitCommonDir, label);
  return visible;
}

/**
 * Snapshots an earlier run left behind for iterations that did end (the harness died while
 * cleaning up): nothing to put back, so only their pins and files go. Runs hold the repository's
 * lock, so no other run is using them.
 */
export async function releaseStaleSnapshots(guard: RunGuard, runId: string): Promise<void> {
  const { gitCommonDir } = guard.locations;
  for (const label of await savedSnapshotLabels(gitCommonDir)) {
    if (label.startsWith(`${runId}-`)) continue;
    const snapshot = await loadSavedSnapshot(gitCommonDir, label);
    if (snapshot) await releaseSnapshot(snapshot);
    await removeSavedSnapshot(gitCommonDir, label);
  }
}
