/**
 * One iteration: performs the steps the pure state machine (decide.ts) asks for — agent turns,
 * verification, the commit — and feeds each typed outcome back in. Every step is journaled before
 * the next begins.
 */
import { addUsage, emptyUsage, type Role, type TokenUsage, type Transport, type TurnResult } from '../agent/types.js';
import type { Config } from '../config/load.js';
import { modelForRole } from '../config/role-model.js';
import type { TaskRef } from '../journal/events.js';
import type { Journal } from '../journal/writer.js';
import { journalTurnEnd } from '../journal/turn-events.js';
import { loadTaskFile, type Task } from '../tasks/index.js';
import { runCommand, type CommandResult } from '../verify/run-command.js';
import type { CommandOutcome } from '../vocabulary/commands.js';
import type { LargeFileWarning } from '../vocabulary/files.js';
import type { EndReason, IterationStatus } from '../vocabulary/iterations.js';
import { lastLines } from '../verify/tail-buffer.js';
import { largeFiles } from './large-files.js';
import { iterationChanges, toRepoRelative, type ChangeFilter } from '../workspace/changes.js';
import { worktreeFingerprint } from '../workspace/fingerprint.js';
import { headCommit } from '../workspace/git.js';
import { historyViolation } from '../workspace/history-guard.js';
import { commitStep, type CommitStepResult } from './commit-step.js';
import {
  advance,
  decide,
  enter,
  FIRST_STEP,
  initialProgress,
  type Outcome,
  type Step,
  type TurnSummary,
} from './decide.js';
import type { PromptRequest, PromptSource } from './prompt-source.js';
import { parseVerdict, testerFindings } from '../prompts/tester-reply.js';
import type { Verdict } from '../vocabulary/verdicts.js';

export interface IterationEnv {
  config: Config;
  transport: Transport;
  journal: Journal;
  prompts: PromptSource;
  iteration: number;
  signal: AbortSignal;
  /** Repo-relative paths the harness owns (its runtime dir). */
  harnessPaths: string[];
  /** Pre-dirty paths (allowDirty): never the iteration's. */
  preDirty: ReadonlySet<string>;
  startCommit: string | undefined;
  /** The branch HEAD was on at the start (null: detached); the commit must land on it. */
  startBranch?: string | null;
  progress: (line: string) => void;
  /** Environment of the commands the harness runs for the user (testCommand). */
  childEnv: NodeJS.ProcessEnv;
  /** Receives the large files the iteration touched, so the next prompts can warn about them. */
  onLargeFiles: (warnings: LargeFileWarning[]) => void;
}

export interface IterationSummary {
  iteration: number;
  task: TaskRef;
  status: IterationStatus;
  reason: EndReason;
  developer?: string;
  verification: CommandOutcome | 'not_run';
  verdict: Verdict | 'not_run';
  commit?: string;
  changedFiles: string[];
  durationMs: number;
  usage: TokenUsage;
  turns: number;
  modelRequests: number;
  notes: string[];
  /** Touched files longer than largeFileWarningLines. */
  largeFiles: LargeFileWarning[];
  /** Set when the iteration must keep work aside (failure, or plan-mode leftovers). */
  needsRescue: boolean;
}

const VERIFICATION_OUTPUT_CAP = 256 * 1024;
/** How often a long turn reports that it is still running. */
const HEARTBEAT_MS = 60_000;

export function taskRef(task: Task): TaskRef {
  return { id: task.id, text: task.text, phase: task.phase, line: task.line };
}

const ROLE_OF_STEP = { developer: 'developer', fix: 'developerFix', tester: 'tester' } as const;

export async function runIteration(env: IterationEnv, task: Task): Promise<IterationSummary> {
  const started = Date.now();
  const { config, journal, iteration } = env;
  const filter: ChangeFilter = { preDirty: env.preDirty, harnessPaths: env.harnessPaths };
  const summary: IterationSummary = {
    iteration,
    task: taskRef(task),
    status: 'failed',
    reason: 'developer_failed',
    verification: 'not_run',
    verdict: 'not_run',
    changedFiles: [],
    durationMs: 0,
    usage: emptyUsage(),
    turns: 0,
    modelRequests: 0,
    notes: [],
    largeFiles: [],
    needsRescue: false,
  };
  const limits = {
    idleRetryLimit: config.idleRetryLimit,
    noChangeRetryLimit: config.noChangeRetryLimit,
    verificationFixLimit: 1,
    mockTransport: config.transport === 'mock',
  };

  let progress = enter(initialProgress(), FIRST_STEP);
  let step: Step = FIRST_STEP;
  let developerSession: string | undefined;
  let lastVerification: CommandResult | undefined;
  let lastTesterText = '';
  let findings = '';
  // Read before any agent runs, so ticks agents add to other tasks can be told apart and undone.
  const openAtStart = new Set(
    (await loadTaskFile(config.taskFile)).file.tasks.filter((open) => !open.done).map((open) => open.id),
  );

  const runTurn = async (
    role: Role,
    request: PromptRequest,
    sessionId?: string,
  ): Promise<{ turn: TurnResult; summary: TurnSummary }> => {
    // Relative to the iteration's start commit, so files an agent already committed still count.
    const prompt = await env.prompts.build(
      request,
      (await iterationChanges(config.repoRoot, env.startCommit, filter)).all,
    );
    const model = modelForRole(config, role);
    // The prompt travels in the journal; the last-prompt file is its projection (src/journal/projections).
    journal.append({
      type: 'turn_start',
      iteration,
      role,
      step: request.kind,
      ...(request.kind === 'developerRetry' ? { retry: request.reason } : {}),
      promptBytes: Buffer.byteLength(prompt),
      ...(model ? { model } : {}),
      prompt,
    });
    env.progress(`  ${role} turn${model ? ` (${model})` : ''}…`);
    // The task file's tick is bookkeeping, not a product change (it must not re-trigger verification).
    const notProduct = [toRepoRelative(config.repoRoot, config.taskFile)];
    const before = await worktreeFingerprint(config.repoRoot, notProduct);
    // A local model can think for minutes without calling a tool: say it is still alive.
    const turnStarted = Date.now();
    const heartbeat = setInterval(
      () => env.progress(`    … ${role} still working (${Math.round((Date.now() - turnStarted) / 1000)}s)`),
      HEARTBEAT_MS,
    );
    heartbeat.unref();
    let turn: TurnResult;
    try {
      turn = await env.transport.runTurn(
        {
          role,
          prompt,
          ...(model ? { model } : {}),
          tools: config.piTools,
          ...(config.piThinking ? { thinking: config.piThinking } : {}),
          session: sessionId ? { kind: 'continue', sessionId } : { kind: 'new' },
          cwd: config.repoRoot,
        },
        env.signal,
      );
    } finally {
      clearInterval(heartbeat);
    }
    const after = await worktreeFingerprint(config.repoRoot, notProduct);
    const changed = (await iterationChanges(config.repoRoot, env.startCommit, filter)).all;
    if (role !== 'tester') {
      summary.largeFiles = await largeFiles(config.repoRoot, changed, config.largeFileWarningLines);
      env.onLargeFiles(summary.largeFiles);
    }
    summary.usage = addUsage(summary.usage, turn.usage);
    summary.turns += 1;
    summary.modelRequests += turn.modelRequests;
    journalTurnEnd(journal, iteration, turn, changed);
    const outcomeText =
      turn.status === 'success'
        ? 'done'
        : `${turn.status} (${turn.terminalReason}${turn.detail ? `: ${turn.detail}` : ''})`;
    env.progress(
      `  ${role}: ${outcomeText}, ${turn.toolCalls.length} tool calls, ${turn.usage.input + turn.usage.output} tokens, ${(turn.durationMs / 1000).toFixed(1)}s`,
    );
    return {
      turn,
      summary: { status: turn.status, terminalReason: turn.terminalReason, changedFiles: before !== after },
    };
  };

  while (step.kind !== 'end') {
    if (env.signal.aborted) break;
    let outcome: Outcome;
    switch (step.kind) {
      case 'developer': {
        const retry = step.retry;
        const { turn, summary: turnSummary } = retry
          ? await runTurn('developerRetry', { kind: 'developerRetry', task, reason: retry }, developerSession)
          : await runTurn('developer', { kind: 'developer', task });
        developerSession = turn.sessionId ?? developerSession;
        summary.developer = turn.status;
        outcome = { step: 'developer', turn: turnSummary };
        break;
      }
      case 'verify': {
        env.progress(
          config.testCommand ? `  verification: ${config.testCommand}` : '  verification: skipped (no testCommand)',
        );
        const result = await runCommand({
          command: config.testCommand,
          cwd: config.repoRoot,
          timeoutSeconds: config.verificationTimeoutSeconds,
          maxOutputBytes: VERIFICATION_OUTPUT_CAP,
          env: env.childEnv,
          signal: env.signal,
        });
        lastVerification = result;
        summary.verification = result.outcome;
        const tail = lastLines(result.output, config.maxFailureArtifactLines).lines.join('\n');
        journal.append({
          type: 'verification',
          iteration,
          after: step.after,
          outcome: result.outcome,
          exitCode: result.exitCode,
          durationMs: result.durationMs,
          command: result.command,
          outputTail: result.outcome === 'passed' ? '' : tail,
          output: result.output,
        });
        env.progress(
          `  verification: ${result.outcome}${result.exitCode !== null && result.outcome !== 'skipped' ? ` (exit ${result.exitCode})` : ''}`,
        );
        outcome = { step: 'verify', result: result.outcome };
        break;
      }
      case 'fix': {
        const request: PromptRequest =
          step.source === 'verification' && lastVerification
            ? { kind: 'developerFix', task, source: 'verification', verification: lastVerification }
            : { kind: 'developerFix', task, source: 'tester', findings };
        const { summary: turnSummary } = await runTurn(ROLE_OF_STEP.fix, request);
        outcome = { step: 'fix', turn: turnSummary };
        break;
      }
      case 'tester': {
        const request: PromptRequest = {
          kind: 'tester',
          task,
          recheck: step.recheck,
          startCommit: env.startCommit,
          previousFindings: step.recheck ? findings : undefined,
          verificationPassed: lastVerification?.outcome === 'passed',
        };
        const { turn, summary: turnSummary } = await runTurn(ROLE_OF_STEP.tester, request);
        lastTesterText = turn.finalText;
        const verdict = parseVerdict(turn.finalText);
        findings = testerFindings(turn.finalText);
        summary.verdict = verdict;
        journal.append({ type: 'verdict', iteration, verdict, recheck: step.recheck, findings });
        env.progress(`  tester verdict: ${verdict}`);
        outcome = { step: 'tester', turn: turnSummary, verdict };
        break;
      }
      case 'commit': {
        let result: CommitStepResult;
        try {
          result = await commitStep({
            repoRoot: config.repoRoot,
            taskFile: config.taskFile,
            task,
            commitMode: config.commitMode,
            startCommit: env.startCommit,
            ...(env.startBranch !== undefined ? { startBranch: env.startBranch } : {}),
            openAtStart,
            filter,
            testerText: lastTesterText,
            iteration,
          });
        } catch (error) {
          // Whatever git or the file system refused, the iteration fails with the reason and its
          // work is rescued; an exception here would end the whole run with the work left dirty.
          result = { committed: false, reason: `the commit failed: ${(error as Error).message}`, notes: [] };
        }
        summary.notes.push(...result.notes);
        if (result.committed) {
          summary.commit = result.commit;
          summary.needsRescue = result.leftover.length > 0;
          journal.append({
            type: 'commit',
            iteration,
            commit: result.commit,
            by: result.by,
            files: result.files,
            message: result.message,
            tickedByHarness: result.tickedByHarness,
          });
          env.progress(
            `  commit ${result.commit.slice(0, 10)} by ${result.by}${result.tickedByHarness ? ' (tick added by the harness)' : ''}: ${result.files.join(', ')}`,
          );
        } else {
          summary.notes.push(result.reason);
          env.progress(`  commit: none (${result.reason})`);
        }
        outcome = { step: 'commit', committed: result.committed };
        break;
      }
    }
    progress = advance(progress, outcome);
    step = decide(progress, outcome, limits);
    progress = enter(progress, step);
  }

  if (env.signal.aborted && !(step.kind === 'end' && step.status === 'succeeded')) {
    summary.status = 'failed';
    summary.reason = 'interrupted';
    const why = env.signal.reason instanceof Error ? env.signal.reason.message : 'stopped by a signal';
    summary.notes.push(`interrupted: ${why}`);
  } else if (step.kind === 'end') {
    summary.status = step.status;
    summary.reason = step.reason;
  }
  summary.changedFiles = (await iterationChanges(config.repoRoot, env.startCommit, filter)).all;
  if (summary.status !== 'succeeded' && summary.status !== 'skipped') {
    // HEAD moved without a file changing (a reset to an older commit, a new branch): restoring
    // is still due, or the user's branch stays where the agents left it.
    const moved =
      env.startCommit !== undefined &&
      (await historyViolation(config.repoRoot, env.startCommit, env.startBranch)) !== undefined;
    summary.needsRescue =
      summary.changedFiles.length > 0 || moved || (await headCommit(config.repoRoot)) !== env.startCommit;
  }
  summary.durationMs = Date.now() - started;
  return summary;
}
