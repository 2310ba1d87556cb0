/** The steps after a PASS: the commit, and the visual review when one is due. */
import { integrityTrailers } from '../../integrity/index.js';
import { errorMessage } from '../../util/errors.js';
import { startedAhead } from '../../util/started-ahead.js';
import { addUsage } from '../../vocabulary/turns.js';
import { commitStep, type CommitStepResult } from '../commit-step.js';
import type { Outcome } from '../decide.js';
import { readTree, type IterationRun } from '../iteration-run.js';

async function tryCommit(run: IterationRun): Promise<CommitStepResult> {
  const { config } = run.services;
  const { start } = run;
  try {
    return await commitStep({
      repoRoot: config.repoRoot,
      taskFile: config.taskFile,
      task: start.task,
      commitMode: config.commitMode,
      startCommit: start.startCommit,
      startBranch: start.startBranch,
      openAtStart: start.openAtStart,
      filter: start.filter,
      testerText: run.state.testerText,
      iteration: start.iteration,
      now: run.state.tree,
      // In `warn` mode the commit carries what the integrity checks found.
      trailers: config.integrity === 'warn' ? integrityTrailers(run.state.integrityFindings) : [],
      ...(run.services.guard.commitHooks ? { hooks: run.services.guard.commitHooks } : {}),
      holdBack: run.services.guard.holdBack(run.state.tree.changes.all),
    });
  } catch (error) {
    // Whatever git or the file system refused, the iteration fails with the reason and its work is
    // rescued; an exception here would end the whole run with the work left dirty.
    return { committed: false, reason: `the commit failed: ${errorMessage(error)}`, notes: [] };
  }
}

export async function commitHandler(run: IterationRun): Promise<Outcome> {
  // What the agents did to refs, config, hooks and ignored files is put back before the harness
  // commits: a planted hook must not run, a file the agents made visible must not be taken. The
  // reading of HEAD stays the one from before: if the agents had moved the branch backwards, the
  // commit is refused for it (and the work rescued), not made on top of what they left.
  await run.services.guard.restore('before_commit');
  const result = await tryCommit(run);
  run.state.notes.push(...result.notes);
  let noted: Promise<void> | undefined;
  if (result.committed) {
    run.state.commit = result.commit;
    run.state.leftover = result.leftover;
    run.services.journal.append({
      type: 'commit',
      iteration: run.start.iteration,
      commit: result.commit,
      by: result.by,
      files: result.files,
      message: result.message,
      tickedByHarness: result.tickedByHarness,
    });
    // Recorded the moment it is made: a crash from here on keeps the commit on the branch. The
    // tree is read while the record is written; nothing is changed before it is on disk.
    noted = startedAhead(run.services.inProgress.note({ commit: result.commit, head: result.commit }));
  } else {
    run.state.notes.push(result.reason);
    if (result.hookOutput !== undefined)
      run.state.commitHookRefusal = { reason: result.reason, output: result.hookOutput };
  }
  // What the commit left: the visual review and the end of the iteration read it; no turn follows
  // that would compare the content against it.
  run.state.tree = await readTree(run, {
    fingerprint: false,
    ...(result.committed ? { expectedHead: result.commit } : {}),
  });
  await noted;
  return {
    step: 'commit',
    committed: result.committed,
    ...(!result.committed && result.hookOutput !== undefined ? { hookRefused: true } : {}),
  };
}

export async function visualHandler(run: IterationRun): Promise<Outcome> {
  const { services, start, state } = run;
  if (!state.visual) return { step: 'visual', verdict: undefined };
  const result = await state.visual.review({
    transport: services.transport,
    env: services.childEnv,
    task: { text: start.task.text, phase: start.task.phase },
    changedFiles: state.tree.changes.all,
    signal: services.signal,
  });
  if (result.turn) state.usage = addUsage(state.usage, result.turn.usage);
  return {
    step: 'visual',
    verdict: result.verdict,
    ...(result.turn ? { terminalReason: result.turn.terminalReason } : {}),
  };
}
