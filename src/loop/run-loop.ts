/**
 * `once` and `run`: takes the lock, recovers a crashed iteration, refuses a dirty tree, then runs
 * iterations on the first open task until one of the stop conditions, keeping every failed
 * iteration's work in a rescue ref before restoring a clean tree.
 */
import path from 'node:path';
import { createTransport } from '../agent/create-transport.js';
import { formatChecks, runPreflight } from '../doctor/index.js';
import { EXIT, type ExitCode } from '../vocabulary/exit-codes.js';
import type { Config } from '../config/load.js';
import { attachProjections } from '../journal/attach.js';
import { Journal } from '../journal/writer.js';
import { redactingIo, redactorFor, type Redactor } from '../redact/index.js';
import type { RunLock } from '../runtime/lock.js';
import { openRun } from '../runtime/open-run.js';
import {
  failureLimitReached,
  isParked,
  parkTask,
  loadState,
  saveState,
  type HarnessState,
  type RecordedStatus,
} from '../runtime/state.js';
import { loadTaskFile, type Task } from '../tasks/index.js';
import { VERSION } from '../version.js';
import { toRepoRelative, userDirtyPaths } from '../workspace/changes.js';
import { headCommit } from '../workspace/git.js';
import { BudgetGuard } from '../runtime/budget.js';
import { IterationBudgetWatch } from './budget-watch.js';
import { countLines } from './large-files.js';
import { createPromptSource } from './prompt-adapter.js';
import { recoverCrashedIteration } from './rescue-step.js';
import { readFeedback } from '../visual/record.js';
import type { Guidance, LoopContext, LoopOptions } from './loop-context.js';
import { runOneIteration } from './run-iteration.js';

export type { LoopMode, LoopOptions } from './loop-context.js';

function pickTask(tasks: readonly Task[], state: HarnessState): { task?: Task; parked: number; open: number } {
  const open = tasks.filter((task) => !task.done);
  const parked = open.filter((task) => isParked(state, task.id)).length;
  return { task: open.find((task) => !isParked(state, task.id)), parked, open: open.length };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** Exit code of a finished iteration for `once` (and the worst of them for `run`). */
function exitCodeFor(status: RecordedStatus): ExitCode {
  if (status === 'interrupted') return EXIT.interrupted;
  return status === 'succeeded' || status === 'skipped' ? EXIT.ok : EXIT.iterationFailed;
}

async function loop(ctx: LoopContext, lock: RunLock): Promise<ExitCode> {
  const { config, journal } = ctx;
  const loaded = await loadState(config.stateFile);
  let state = loaded.state;
  if (loaded.kind === 'corrupt')
    ctx.say(`warning: the state file could not be read (${loaded.reason}); it was moved to ${loaded.movedTo}`);
  if (state.inProgress) {
    state = await recoverCrashedIteration(ctx, state);
    await saveState(config.stateFile, state);
  }

  const dirty = await userDirtyPaths(config.repoRoot, ctx.harnessPaths);
  if (dirty.length > 0 && !config.allowDirty) {
    ctx.io.stderr(
      `pi-harness: the working tree has uncommitted changes:\n${dirty.map((f) => `  ${f}`).join('\n')}\ncommit or stash them, or set allowDirty (they are then never touched or committed).\n`,
    );
    return EXIT.preflight;
  }

  const budget = new IterationBudgetWatch(
    new BudgetGuard({
      maxRunSeconds: config.maxRunSeconds,
      maxRunTokens: config.maxRunTokens,
      maxTaskTokens: config.maxTaskTokens,
      maxRunCostUsd: config.maxRunCostUsd,
    }),
  );
  const { transport, warnings } = await createTransport(config, ctx.runDir, ctx.io.env, (event) => {
    if (event.type === 'usage') budget.addUsage(event.usage);
    else if (event.type === 'tool_start')
      ctx.say(
        `    · ${event.name}${event.path ? ` ${event.path}` : typeof event.args.command === 'string' ? ` ${oneLine(event.args.command)}` : ''}`,
      );
    else if (event.type === 'retry_wait') {
      const { attempt, status, waitMs, message } = event.wait;
      journal.append({
        type: 'provider_wait',
        role: event.role,
        attempt,
        ...(status !== undefined ? { status } : {}),
        waitMs,
        message,
      });
      ctx.say(`    · provider unavailable (${event.wait.message}); waiting ${Math.round(event.wait.waitMs / 1000)}s`);
    } else if (event.type === 'soft_continue')
      ctx.say(`    · no activity for ${event.silentSeconds}s; nudged the agent to continue`);
  });
  for (const warning of warnings) ctx.say(`warning: ${warning}`);
  let exitCode: ExitCode = EXIT.ok;
  let iterations = 0;
  let succeeded = 0;
  let stopReason = 'all tasks done';
  try {
    const guidance: Guidance = { loopConstraints: [], largeFileWarnings: [], history: [] };
    await warnAboutLargeSpecs(ctx);
    const prompts = await createPromptSource({
      config,
      guidance: () => guidance,
      // Findings of a non-PASS visual review, until a later review passes (SPEC §9).
      visualFeedback: () => readFeedback(config.visualFeedbackFile),
    });
    const limit = ctx.mode === 'once' ? 1 : config.maxIterations;
    while (iterations < limit) {
      if (ctx.signal.aborted) {
        exitCode = EXIT.interrupted;
        stopReason = 'stopped by a signal';
        break;
      }
      const { file } = await loadTaskFile(config.taskFile);
      const pick = pickTask(file.tasks, state);
      if (!pick.task) {
        stopReason =
          pick.parked > 0 ? `no open task left that is not parked (${pick.parked} parked)` : 'all tasks done';
        if (iterations === 0) ctx.say(`nothing to do: ${stopReason}`);
        if (pick.parked > 0) exitCode = EXIT.iterationFailed;
        break;
      }
      const spent = budget.checkBeforeIteration(pick.task.id);
      if (spent?.action === 'stop_run') {
        journal.append({
          type: 'budget',
          kind: spent.kind,
          limit: spent.limit,
          used: spent.used,
          action: spent.action,
          message: spent.message,
        });
        stopReason = spent.message;
        break;
      }
      iterations += 1;
      await lock.setStatus(`iteration ${iterations}`);
      const signal = budget.begin(pick.task.id, ctx.signal);
      let outcome;
      try {
        outcome = await runOneIteration(
          ctx,
          transport,
          state,
          pick.task,
          state.totalIterations + 1,
          prompts,
          config.allowDirty ? dirty : [],
          guidance,
          signal,
        );
      } finally {
        budget.end();
        // Idle pi processes are ended between iterations except one warm one per model/tools, so an
        // overnight run neither piles up processes nor pays pi's start-up for every turn.
        await transport.releaseSessions?.();
      }
      state = outcome.state;
      if (outcome.recorded === 'succeeded') succeeded += 1;
      const exceeded = budget.exceeded;
      if (exceeded) {
        journal.append({
          type: 'budget',
          kind: exceeded.kind,
          limit: exceeded.limit,
          used: exceeded.used,
          action: exceeded.action,
          message: exceeded.message,
          ...(exceeded.taskId ? { taskId: exceeded.taskId } : {}),
        });
        ctx.say(`budget: ${exceeded.message}`);
      }
      const code = ctx.signal.aborted
        ? EXIT.interrupted
        : exitCodeFor(outcome.recorded === 'interrupted' && exceeded ? 'failed' : outcome.recorded);
      if (code !== EXIT.ok) exitCode = code;
      if (ctx.signal.aborted) {
        stopReason = 'stopped by a signal';
        break;
      }
      if (exceeded?.action === 'stop_run') {
        stopReason = exceeded.message;
        break;
      }
      if (exceeded?.action === 'park_task') {
        state = parkTask(state, pick.task.id, exceeded.message);
        await saveState(config.stateFile, state);
        ctx.say(`task parked: ${exceeded.message}`);
      }
      if (outcome.summary.reason === 'provider_auth') {
        stopReason = 'the model endpoint rejected the credentials';
        break;
      }
      if (failureLimitReached(state, config.maxConsecutiveFailures)) {
        stopReason = `${state.consecutiveFailures} failed iterations in a row (maxConsecutiveFailures ${config.maxConsecutiveFailures})`;
        journal.append({
          type: 'breaker',
          consecutiveFailures: state.consecutiveFailures,
          limit: config.maxConsecutiveFailures,
        });
        break;
      }
      if (iterations >= limit) {
        stopReason = ctx.mode === 'once' ? 'one iteration done' : `maxIterations (${limit}) reached`;
        break;
      }
      await sleep(config.sleepBetweenSeconds * 1000, ctx.signal);
    }
  } finally {
    await transport.close();
  }
  journal.append({ type: 'run_end', exitCode, reason: stopReason, iterations, succeeded });
  ctx.say(
    `\n${ctx.mode}: ${stopReason}; ${succeeded}/${iterations} iterations succeeded. Journal: ${path.relative(config.repoRoot, journal.file)}`,
  );
  return exitCode;
}

/** A task or instruction file so long that it crowds every prompt is worth a word at start. */
async function warnAboutLargeSpecs(ctx: LoopContext): Promise<void> {
  const { config } = ctx;
  const specs = [
    config.taskFile,
    config.developerInstructionsFile,
    config.testerInstructionsFile,
    config.instructionsFile,
  ].filter((file): file is string => typeof file === 'string');
  for (const file of new Set(specs)) {
    const lines = await countLines(file);
    if (lines !== undefined && lines > config.largeSpecWarningLines) {
      ctx.say(
        `warning: ${path.relative(config.repoRoot, file)} has ${lines} lines (largeSpecWarningLines ${config.largeSpecWarningLines}); long specs cost tokens in every prompt`,
      );
    }
  }
}

export async function runLoop(unredacted: LoopOptions): Promise<ExitCode> {
  // ── redaction (src/redact): no secret of this environment or config reaches the terminal or a file ──
  const redactor = redactorFor(unredacted.config, unredacted.io.env);
  const options: LoopOptions = { ...unredacted, io: redactingIo(unredacted.io, redactor) };
  // ── end redaction ──
  const { config, io } = options;
  const say = (line: string) => io.stdout(`${line}\n`);
  if (!(await headCommit(config.repoRoot))) {
    io.stderr(
      `pi-harness: ${config.repoRoot} has no commit yet (or is not a git repository); make a first commit, then run again.\n`,
    );
    return EXIT.preflight;
  }
  if (await allTasksDone(config)) {
    say('nothing to do: every task in the task file is done');
    return EXIT.ok;
  }
  // The same checks as `pi-harness doctor`, so a run never starts against an unreachable model,
  // a missing key or a missing task file and fails an hour later. Read-only, so a failing check
  // leaves nothing behind. The work tree and the lock are checked after the lock is taken: a
  // second run must hear "another run holds the lock" (exit 3), not be told to clean up the first
  // run's work in progress.
  const preflight = await runPreflight(config, { env: io.env, skip: ['lock', 'worktree'] });
  const failed = preflight.checks.filter((check) => check.status === 'fail');
  if (failed.length > 0) {
    io.stderr(`pi-harness: preflight failed:\n${formatChecks(failed)}\n(run \`pi-harness doctor\` for every check)\n`);
    return EXIT.preflight;
  }
  const opened = await openRun(config, `pi-harness ${options.mode}`);
  if (opened.kind === 'held') {
    io.stderr(`pi-harness: ${opened.error.message}\n`);
    return EXIT.locked;
  }
  const { runId, runDir, lock } = opened;
  try {
    return await startRun(options, { runId, runDir, lock, redactor, say });
  } finally {
    await lock.release();
  }
}

/** True when the task file reads and has no open task (any problem reading it is preflight's to report). */
async function allTasksDone(config: Config): Promise<boolean> {
  try {
    const { file } = await loadTaskFile(config.taskFile);
    return file.tasks.length > 0 && file.tasks.every((task) => task.done);
  } catch {
    return false;
  }
}

async function startRun(
  options: LoopOptions,
  run: { runId: string; runDir: string; lock: RunLock; redactor: Redactor; say: (line: string) => void },
): Promise<ExitCode> {
  const { config } = options;
  const { runId, runDir, lock, redactor, say } = run;
  const journal = new Journal(path.join(runDir, 'journal.jsonl'), runId, { redactor });
  // Log, telemetry, token usage, feedback, failure artifacts, summaries: projections of the journal.
  attachProjections(journal, config, { redactor, warn: (message) => say(`warning: ${message}`) });
  const harnessPaths = [toRepoRelative(config.repoRoot, config.piRuntimeDir)];
  const ctx: LoopContext = { ...options, runId, runDir, journal, harnessPaths, say };
  if (lock.recoveredStale)
    say(`recovered a stale lock (${lock.recoveredStale.reason}); the old lock is at ${lock.recoveredStale.movedTo}`);
  journal.append({
    type: 'run_start',
    command: options.mode,
    pid: process.pid,
    repoRoot: config.repoRoot,
    transport: config.transport,
    version: VERSION,
  });
  try {
    return await loop(ctx, lock);
  } catch (error) {
    journal.append({ type: 'error', message: (error as Error).message });
    throw error;
  }
}
