/**
 * `once` and `run`: checks what can be checked before taking the lock, opens the run (lock,
 * journal, its listeners — the projections and the terminal), recovers a crashed iteration,
 * refuses a dirty tree, then runs iterations (iterate.ts) until a stop condition. Returns a typed
 * outcome; the CLI turns it into an exit code.
 */
import path from 'node:path';
import { formatChecks, runPreflight } from '../doctor/index.js';
import type { Config } from '../config/load.js';
import { attachProjections } from '../journal/attach.js';
import { foldSnapshotWriter } from '../journal/fold-snapshot-save.js';
import { consoleView } from '../journal/render/console.js';
import { Journal } from '../journal/writer.js';
import { redactingIo, redactorFor } from '../redact/index.js';
import type { RunLock } from '../runtime/lock.js';
import { journalFileOf } from '../runtime/harness-home.js';
import { openRun } from '../runtime/open-run.js';
import { excludeOwnPaths, harnessOwnPaths } from '../runtime/own-paths.js';
import { StateStore } from '../runtime/state.js';
import { loadTaskFile } from '../tasks/index.js';
import { VERSION } from '../version.js';
import { exitCodeOf, type LoopOutcome } from '../vocabulary/exit-codes.js';
import { errorMessage } from '../util/errors.js';
import { headCommit } from '../workspace/git.js';
import { controlDirOf } from '../control/location.js';
import { removeOtherInboxes } from '../control/inbox.js';
import type { JournalFold } from '../journal/fold/fold.js';
import { ControlDesk } from './control-desk.js';
import { runIterations, type RunEnded } from './iterate.js';
import type { LoopContext, LoopOptions } from './loop-context.js';

export type { LiveRun, LoopMode, LoopOptions } from './loop-context.js';
export type { RunEnded } from './iterate.js';

/** What runs the iterations once the run is open: one at a time (the default), or a parallel scheduler. */
export type IterationsRunner = (ctx: LoopContext, lock: RunLock) => Promise<RunEnded>;

/** The run as it opens, before its fold and control desk exist. */
type OpeningRun = Omit<LoopContext, 'fold' | 'control'>;

/** True when the task file reads and has no open task (any problem reading it is preflight's to report). */
async function allTasksDone(config: Config): Promise<boolean> {
  try {
    const { file } = await loadTaskFile(config.taskFile);
    return file.tasks.length > 0 && file.tasks.every((task) => task.done);
  } catch {
    return false;
  }
}

/** What can be refused before the lock is taken; undefined when the run may start. */
async function refuseEarly(options: LoopOptions): Promise<LoopOutcome | undefined> {
  const { config, io } = options;
  if (!(await headCommit(config.repoRoot))) {
    io.stderr(
      `pi-harness: ${config.repoRoot} has no commit yet (or is not a git repository); ` +
        'make a first commit, then run again.\n',
    );
    return { kind: 'refused', why: 'no_commit' };
  }
  if (await allTasksDone(config)) {
    io.stdout('nothing to do: every task in the task file is done\n');
    return { kind: 'nothing_to_do' };
  }
  // The same checks as `pi-harness doctor`, so a run never starts against an unreachable model,
  // a missing key or a missing task file and fails an hour later. Read-only, so a failing check
  // leaves nothing behind. The work tree and the lock are checked after the lock is taken: a
  // second run must hear "another run holds the lock" (exit 3), not be told to clean up the first
  // run's work in progress.
  const preflight = await runPreflight(config, { env: io.env, skip: ['lock', 'worktree'], trustBundledPi: true });
  const failed = preflight.checks.filter((check) => check.status === 'fail');
  if (failed.length === 0) return undefined;
  io.stderr(`pi-harness: preflight failed:\n${formatChecks(failed)}\n(run \`pi-harness doctor\` for every check)\n`);
  return { kind: 'refused', why: 'preflight' };
}

export async function runLoop(
  unredacted: LoopOptions,
  iterate: IterationsRunner = runIterations,
): Promise<LoopOutcome> {
  // No secret of this environment or configuration reaches the terminal or a file.
  const redactor = redactorFor(unredacted.config, unredacted.io.env);
  const options: LoopOptions = { ...unredacted, io: redactingIo(unredacted.io, redactor) };
  const refused = await refuseEarly(options);
  if (refused) return refused;
  const opened = await openRun(options.config, `pi-harness ${options.mode}`);
  if (opened.kind === 'held') {
    options.io.stderr(`pi-harness: ${opened.error.message}\n`);
    return { kind: 'locked' };
  }
  const { runId, runDir, home, lock } = opened;
  try {
    const journal = new Journal(journalFileOf(home, runId), runId, { redactor });
    let projectionWarned = false;
    const store = new StateStore(home, (error) => {
      if (projectionWarned) return;
      projectionWarned = true;
      journal.append({ type: 'warning', message: `could not write the state's projection: ${errorMessage(error)}` });
    });
    const harnessPaths = harnessOwnPaths(options.config);
    return await startRun({ ...options, runId, runDir, home, store, journal, harnessPaths }, lock, iterate);
  } finally {
    await lock.release();
  }
}

/**
 * The journal's listeners: the projections (with the run's one fold), the terminal and the saved
 * fold. When the runtime directory turns out to be gone, the projections are rebuilt there and the
 * lock's and the state's projections written again; the journal says so once the event in hand is
 * through.
 */
function attachViews(ctx: OpeningRun, lock: RunLock): JournalFold {
  const { config, io, journal } = ctx;
  const write = (line: string) => io.stdout(`${line}\n`);
  const { fold } = attachProjections(journal, config, {
    redactor: journal.redactor,
    home: ctx.home,
    warn: (message) => write(`warning: ${message}`),
    onRuntimeDirRecreated: (recreated) =>
      queueMicrotask(() => {
        void lock.project();
        void ctx.store.reproject();
        void excludeOwnPaths(config);
        const problems = recreated.problems.length > 0 ? `; not rebuilt: ${recreated.problems.join('; ')}` : '';
        journal.append({
          type: 'warning',
          message:
            `the runtime directory ${path.relative(config.repoRoot, ctx.home.runtimeDir) || '.'} was deleted during ` +
            `the run; it was recreated and the projections of ${recreated.runs} run(s) rebuilt from their journals` +
            `${problems}`,
        });
      }),
  });
  journal.onEvent(consoleView({ write, fold, journal: path.relative(config.repoRoot, journal.file) }));
  // `status` restores this instead of decoding the whole journal.
  journal.onEvent(
    foldSnapshotWriter(journal.file, fold, (error) =>
      write(`warning: the fold snapshot was not saved: ${errorMessage(error)}`),
    ),
  );
  return fold;
}

/** The run's control desk, listening on the run's own inbox; the leftovers of earlier runs' inboxes go. */
async function openControl(ctx: OpeningRun, fold: JournalFold, lock: RunLock, stop: AbortController) {
  const control = new ControlDesk({
    journal: ctx.journal,
    fold,
    config: ctx.config,
    stopRun: (reason) => stop.abort(reason),
    setStatus: (status) => lock.setStatus(status),
    saveState: (state) => ctx.store.save(state),
  });
  const inboxDir = controlDirOf(ctx.home.repoDir, ctx.runId);
  await removeOtherInboxes(path.dirname(inboxDir), ctx.runId);
  await control.start(inboxDir);
  return { control, inboxDir };
}

async function startRun(opening: OpeningRun, lock: RunLock, iterate: IterationsRunner): Promise<LoopOutcome> {
  const { config, journal } = opening;
  const fold = attachViews(opening, lock);
  journal.append({
    type: 'run_start',
    command: opening.mode,
    pid: process.pid,
    repoRoot: config.repoRoot,
    transport: config.transport,
    version: VERSION,
    budgets: {
      maxRunSeconds: config.maxRunSeconds,
      maxRunTokens: config.maxRunTokens,
      maxTaskTokens: config.maxTaskTokens,
      maxRunCostUsd: config.maxRunCostUsd,
    },
  });
  const stale = lock.recoveredStale;
  if (stale) journal.append({ type: 'lock_recovered', reason: stale.reason, movedTo: stale.movedTo });
  // `pi-harness stop` ends the run exactly as SIGTERM does: through the run's signal.
  const stop = new AbortController();
  const { control, inboxDir } = await openControl(opening, fold, lock, stop);
  const ctx: LoopContext = { ...opening, signal: AbortSignal.any([opening.signal, stop.signal]), fold, control };
  opening.onRunOpened?.({ runId: ctx.runId, journal, fold, inboxDir });
  try {
    const ended = await iterate(ctx, lock).finally(() => control.close());
    if (ended.kind !== 'ran') return ended;
    const outcome: LoopOutcome = {
      kind: 'ran',
      result: ended.result,
      stop: ended.stop.kind,
      iterations: ended.iterations,
      succeeded: ended.succeeded,
    };
    journal.append({
      type: 'run_end',
      exitCode: exitCodeOf(outcome),
      reason: ended.stop.reason,
      iterations: ended.iterations,
      succeeded: ended.succeeded,
      result: ended.result,
      stop: ended.stop.kind,
    });
    return outcome;
  } catch (error) {
    journal.append({ type: 'error', message: errorMessage(error) });
    throw error;
  }
}
