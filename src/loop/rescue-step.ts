/**
 * Keeping work that will not be committed: an iteration that failed, stalled, was blocked, vetoed
 * or interrupted (and a crashed one found at start: crash-recovery.ts) has its work stored in a
 * rescue ref plus a patch file, then the tree goes back to the iteration's start commit. Nothing is
 * discarded that was not first kept.
 */
import path from 'node:path';
import type { Config } from '../config/load.js';
import type { Journal } from '../journal/writer.js';
import { headCommit } from '../workspace/git.js';
import { rescueWork, restoreToStart, type PreDirtySnapshot, type Rescue } from '../workspace/rescue.js';

export interface RescueContext {
  config: Config;
  journal: Journal;
  runId: string;
  harnessPaths: string[];
}

export interface KeepWorkInput {
  startCommit: string;
  preDirty: ReadonlySet<string>;
  iteration: number;
  reason: string;
  /** The iteration committed (plan-mode leftovers): keep its commit, rescue only what is left. */
  keepCommits: boolean;
  /** The branch HEAD was on when the iteration began (null: detached). */
  startBranch?: string | null;
  preDirtySnapshot?: PreDirtySnapshot;
}

function rescueLocation(ctx: RescueContext, iteration: number, label: string) {
  const name = `${ctx.runId}/${iteration}${label}`;
  return {
    refName: `refs/pi-harness/rescue/${name}`,
    patchFile: path.join(ctx.config.piRuntimeDir, 'rescue', `${ctx.runId}-iteration-${iteration}${label}.patch`),
  };
}

export async function keepIterationWork(ctx: RescueContext, input: KeepWorkInput): Promise<Rescue | undefined> {
  const cwd = ctx.config.repoRoot;
  const base = input.keepCommits ? ((await headCommit(cwd)) ?? input.startCommit) : input.startCommit;
  const where = rescueLocation(ctx, input.iteration, input.keepCommits ? '-leftover' : '');
  const rescue = await rescueWork({
    cwd,
    startCommit: base,
    preDirty: input.preDirty,
    harnessPaths: ctx.harnessPaths,
    ...where,
    message: `pi-harness rescue: run ${ctx.runId}, iteration ${input.iteration} (${input.reason})`,
    ...(input.preDirtySnapshot ? { preDirtySnapshot: input.preDirtySnapshot } : {}),
  });
  if (rescue) {
    // Journaled before the tree changes: if restoring crashes, the record of where the work is survives.
    ctx.journal.append({
      type: 'rescue',
      iteration: input.iteration,
      ref: rescue.ref,
      commit: rescue.commit,
      patchFile: rescue.patchFile,
      files: rescue.files,
    });
  }
  const report = await restoreToStart({
    cwd,
    startCommit: base,
    preDirty: input.preDirty,
    harnessPaths: ctx.harnessPaths,
    ...(input.startBranch !== undefined ? { startBranch: input.startBranch } : {}),
    ...(input.preDirtySnapshot ? { preDirtySnapshot: input.preDirtySnapshot } : {}),
  });
  if (!report.clean) {
    ctx.journal.append({
      type: 'error',
      iteration: input.iteration,
      message: `restore left files dirty: ${report.leftovers.join(', ')}`,
    });
  }
  return rescue;
}
