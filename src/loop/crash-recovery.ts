/**
 * Recovering an iteration the harness died in (docs/iteration.md, "After a crash"). The rules:
 *
 * - Its commit, once made, stays: the commit is recorded (journal, then state) the moment it is
 *   made, and an iteration that had one counts as it stood — succeeded — whatever step (the visual
 *   review) was running when the harness died. Only what is left uncommitted on top is kept aside.
 * - Without a commit, its work — its agents' commits, never accepted, and its uncommitted files —
 *   goes to a rescue ref and the branch goes back to the start commit, as for any failed iteration.
 * - Recovery never moves HEAD past commits it did not make. If HEAD moved after the crash (the
 *   user committed, reset or switched branches: the HEAD reflog shows a move without the agents'
 *   marker), HEAD stays where it is and only the uncommitted work is kept aside; the iteration's own
 *   commits, if the move left them off the branch, keep a ref.
 */
import type { HarnessState, InProgressIteration } from '../runtime/state.js';
import { recordIterationResult } from '../runtime/state.js';
import { agentReflogAction } from '../vocabulary/agent-marker.js';
import type { RecordedStatus } from '../vocabulary/iterations.js';
import { git, headCommit } from '../workspace/git.js';
import { headMovesSince, type HeadMoves } from '../workspace/head-moves.js';
import { readPreDirtySnapshot, type PreDirtySnapshot } from '../workspace/rescue.js';
import { createHarnessRef } from '../workspace/tree-builder.js';
import { journaledCommit } from './crash-journal.js';
import type { LoopContext } from './loop-context.js';
import { keepIterationWork, type KeepWorkInput } from './rescue-step.js';

const short = (commit: string) => commit.slice(0, 10);

async function isAncestor(cwd: string, commit: string, of: string): Promise<boolean> {
  return git(cwd, ['merge-base', '--is-ancestor', commit, of]).then(
    () => true,
    () => false,
  );
}

async function snapshotOf(cwd: string, ref: string | undefined): Promise<PreDirtySnapshot | undefined> {
  if (!ref) return undefined;
  return readPreDirtySnapshot(cwd, ref).catch(() => undefined);
}

/** What recovery decided, before it touches anything. */
interface Plan {
  crashed: InProgressIteration;
  commit: string | undefined;
  moves: HeadMoves;
  head: string | undefined;
  recorded: RecordedStatus;
  notes: string[];
}

async function planRecovery(ctx: LoopContext, crashed: InProgressIteration): Promise<Plan> {
  const cwd = ctx.config.repoRoot;
  // The journal is written before the state: a commit it names was made, recorded in state or not.
  const commit = crashed.commit ?? journaledCommit(ctx.home, crashed.runId, crashed.iteration);
  const recordedHead = commit ?? crashed.head ?? crashed.startCommit;
  const moves = await headMovesSince({
    cwd,
    recorded: recordedHead,
    marker: agentReflogAction(crashed.runId),
    ...(crashed.startBranch !== undefined ? { branch: crashed.startBranch } : {}),
  });
  const head = await headCommit(cwd);
  const notes: string[] = [];
  if (commit) notes.push(`its commit ${short(commit)} had been made: it stays, and the iteration counts as succeeded`);
  if (moves === 'other' && head)
    notes.push(
      `HEAD was moved after the crash (now ${short(head)}), not by the iteration's agents: it stays there; ` +
        'only the uncommitted work is kept aside',
    );
  else if (!commit && (moves === 'agent' || recordedHead !== crashed.startCommit))
    notes.push("its agents' commits were never accepted: they are kept with its work, and HEAD goes back to the start");
  return { crashed, commit, moves, head, recorded: commit ? 'succeeded' : 'crashed', notes };
}

/** The iteration's own commits, when a move after the crash left them off the branch: a ref keeps them. */
async function keepOrphanedCommits(ctx: LoopContext, plan: Plan): Promise<void> {
  const { crashed } = plan;
  const own = plan.commit ?? crashed.head;
  if (plan.moves !== 'other' || !own || own === crashed.startCommit || !plan.head) return;
  if (await isAncestor(ctx.config.repoRoot, own, plan.head)) return;
  const ref = await createHarnessRef(
    ctx.config.repoRoot,
    `refs/pi-harness/rescue/${ctx.runId}/${crashed.iteration}-commits`,
    own,
  );
  plan.notes.push(`its commits are no longer on the branch; they are kept in ${ref}`);
}

function keepInput(plan: Plan, preDirty: PreDirtySnapshot | undefined, keepOut: readonly string[]): KeepWorkInput {
  const { crashed } = plan;
  const common = {
    preDirty: new Set([...(preDirty?.paths ?? []), ...keepOut]),
    iteration: crashed.iteration,
    reason: 'crashed',
    ...(preDirty ? { preDirtySnapshot: preDirty } : {}),
  };
  // Someone else moved HEAD: it stays; only what is uncommitted on top of it is the iteration's.
  if (plan.moves === 'other') return { ...common, startCommit: plan.head ?? crashed.startCommit, keepCommits: true };
  const startBranch = crashed.startBranch !== undefined ? { startBranch: crashed.startBranch } : {};
  return { ...common, ...startBranch, startCommit: plan.commit ?? crashed.startCommit, keepCommits: false };
}

export interface RecoveryOptions {
  /** Where the in-progress record came from: the state, or the journal (the state was unreadable). */
  source?: 'state' | 'journal';
  /** Files its rescue must not take (ignored at its start, made visible by its agents). */
  keepOut?: readonly string[];
}

/** An iteration recorded as in progress at start means the harness died during it. */
export async function recoverCrashedIteration(
  ctx: LoopContext,
  state: HarnessState,
  options: RecoveryOptions = {},
): Promise<HarnessState> {
  const source = options.source ?? 'state';
  const plan = await planRecovery(ctx, state.inProgress!);
  const { crashed } = plan;
  await keepOrphanedCommits(ctx, plan);
  ctx.journal.append({
    type: 'crash_recovery',
    iteration: crashed.iteration,
    crashedRunId: crashed.runId,
    taskText: crashed.taskText,
    recorded: plan.recorded,
    ...(plan.commit ? { commit: plan.commit } : {}),
    ...(plan.moves === 'other' && plan.head ? { keptHead: plan.head } : {}),
    source,
    notes: plan.notes,
  });
  const preDirty = await snapshotOf(ctx.config.repoRoot, crashed.preDirtyRef);
  await keepIterationWork(ctx, keepInput(plan, preDirty, options.keepOut ?? []));
  return recordIterationResult(state, {
    taskId: crashed.taskId,
    status: plan.recorded,
    reason: plan.commit
      ? 'the harness stopped after the iteration had committed'
      : 'the harness stopped during the iteration',
    maxTaskAttempts: ctx.config.maxTaskAttempts,
  }).state;
}
