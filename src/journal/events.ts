/**
 * The run journal: one typed event per line, append-only, written BEFORE the state it describes
 * changes, so a crash leaves a readable record. Every other view (the terminal, the log, state
 * snapshots, summaries, the report) is a listener of these events: see docs/architecture.md.
 *
 * `JournalEventBody` is what the harness writes. What a reader gets back from a file is a
 * `ReadEvent` (decode.ts): the same union with every field but `type` optional, because a journal
 * may come from an older or newer harness, or end in a line a crash cut short.
 */
import type { BudgetAction, BudgetKind } from '../vocabulary/budgets.js';
import type { RunResult, StopKind } from '../vocabulary/exit-codes.js';
import type { CommandOutcome } from '../vocabulary/commands.js';
import type { ControlAction, ControlResult, ControlSource, ParkCause } from '../vocabulary/control.js';
import type { LargeFileWarning } from '../vocabulary/files.js';
import type { GuardrailRule, RestoreKind, RestoreMoment } from '../vocabulary/guardrails.js';
import type {
  CommitAuthor,
  EndReason,
  IterationStatus,
  RecordedStatus,
  RetryReason,
  TaskRef,
  VerifyAfter,
} from '../vocabulary/iterations.js';
import type { IntegrityMode, IntegrityRule } from '../vocabulary/integrity.js';
import type { Role } from '../vocabulary/roles.js';
import type { TerminalReason, TokenUsage, TurnStatus } from '../vocabulary/turns.js';
import type { Verdict, VisualVerdict } from '../vocabulary/verdicts.js';

export type { TaskRef } from '../vocabulary/iterations.js';

/**
 * Bumped only for an incompatible change. New event types and new optional fields keep the
 * version: readers ignore types and fields they do not know, and treat new fields as optional.
 */
export const JOURNAL_SCHEMA_VERSION = 1;

export type JournalEventBody =
  | {
      type: 'run_start';
      command: 'once' | 'run';
      pid: number;
      repoRoot: string;
      transport: string;
      version: string;
      /** The budgets in force (0 = none), so a view can show what is used against what is allowed. */
      budgets?: RunBudgets;
    }
  | {
      type: 'run_end';
      exitCode: number;
      reason: string;
      iterations: number;
      succeeded: number;
      /** The worst outcome of the run's iterations, and why it stopped iterating. */
      result?: RunResult;
      stop?: StopKind;
    }
  | {
      type: 'iteration_start';
      iteration: number;
      task: TaskRef;
      startCommit: string | null;
      preDirty: string[];
      /** The branch HEAD was on (`refs/heads/...`), null when detached: crash recovery puts HEAD back on it. */
      startBranch?: string | null;
    }
  | {
      type: 'turn_start';
      iteration: number;
      role: Role;
      step: string;
      retry?: RetryReason;
      promptBytes: number;
      model?: string;
      /** The exact prompt (redacted); the last-prompt file is its projection. */
      prompt?: string;
      /** Images attached to the prompt (the visual review's screenshots). */
      images?: number;
      /** The model's context window in tokens, when the configuration declares it. */
      contextWindow?: number;
    }
  /** One model request of the turn in flight finished: what it cost (the turn_end sums them all). */
  | { type: 'turn_usage'; iteration: number; role: Role; usage: TokenUsage; modelRequests: number }
  /** A tool call of the turn in flight started (its `tool` event, with duration and error, follows turn_end). */
  | { type: 'tool_start'; iteration: number; role: Role; name: string; path?: string; command?: string }
  /** The turn in flight is still running without having finished (a model thinking for minutes). */
  | { type: 'heartbeat'; iteration: number; role: Role; elapsedMs: number }
  /** The agent was silent past continueAfterSeconds and was nudged to go on. */
  | { type: 'soft_continue'; iteration: number; role: Role; silentSeconds: number }
  | {
      type: 'turn_end';
      iteration: number;
      role: Role;
      status: TurnStatus;
      terminalReason: TerminalReason;
      detail?: string;
      usage: TokenUsage;
      modelRequests: number;
      toolCalls: number;
      toolErrors: number;
      durationMs: number;
      changedFiles: string[];
      sessionId?: string;
      /** The model that answered (provider/id), when known. */
      model?: string;
      /** The agent's final message (redacted); the last-agent-output file is its projection. */
      finalText?: string;
      /** pi's session file, redacted by the harness after the turn. */
      sessionFile?: string;
      /** The turn's tool calls in order (the `tool` events that follow carry durations and errors). */
      tools?: { name: string; path?: string }[];
    }
  | {
      type: 'tool';
      iteration: number;
      role: Role;
      name: string;
      path?: string;
      durationMs: number;
      isError: boolean;
      error?: string /** bash: the start of the command. */;
      command?: string;
    }
  | { type: 'verification_start'; iteration: number; after: VerifyAfter; command: string }
  | {
      type: 'verification';
      iteration: number;
      after: VerifyAfter;
      outcome: CommandOutcome;
      exitCode: number | null;
      durationMs: number;
      command: string;
      outputTail: string;
      /** The whole captured output (already capped at the end, redacted); projections cut their own tails. */
      output?: string;
    }
  | { type: 'verdict'; iteration: number; verdict: Verdict; recheck: boolean; findings: string }
  /**
   * What the iteration's integrity checks compare against (docs/integrity.md): the test files at its
   * start commit and the counts of the last passing verification of that tree.
   */
  | {
      type: 'integrity_baseline';
      iteration: number;
      commit: string | null;
      /** Test files present at the start commit (matching testGlobs): how many, not which. */
      testFiles: number;
      counts?: BaselineCounts;
      source: BaselineSource;
      /** The verification run at run start for this baseline, when one ran. */
      verification?: { outcome: CommandOutcome; exitCode: number | null; durationMs: number; command: string };
    }
  /** The run's one verification for an integrity baseline starts (no passing one of the start tree is known). */
  | { type: 'integrity_baseline_start'; iteration: number; command: string }
  /** One finding of an integrity check (the `check`-th of the iteration); the check's own event follows. */
  | {
      type: 'integrity_finding';
      iteration: number;
      check: number;
      mode: IntegrityMode;
      rule: IntegrityRule;
      path: string;
      detail: string;
    }
  /** An integrity check ran after a passing verification, with this many findings. */
  | { type: 'integrity_check'; iteration: number; check: number; mode: IntegrityMode; findings: number }
  | {
      type: 'commit';
      iteration: number;
      commit: string;
      by: CommitAuthor;
      files: string[];
      message: string;
      tickedByHarness: boolean;
    }
  | { type: 'rescue'; iteration: number; ref: string; commit: string; patchFile: string; files: string[] }
  | {
      type: 'iteration_end';
      iteration: number;
      task: TaskRef;
      status: IterationStatus;
      reason: EndReason;
      durationMs: number;
      usage: TokenUsage;
      commit?: string;
      /** As state records it (`interrupted` when a signal stopped a failing iteration). */
      recorded?: RecordedStatus;
      changedFiles?: string[];
      notes?: string[];
      largeFiles?: LargeFileWarning[];
      needsRescue?: boolean;
    }
  | {
      type: 'budget';
      kind: BudgetKind;
      limit: number;
      used: number;
      action: BudgetAction;
      message: string;
      taskId?: string;
    }
  | { type: 'breaker'; consecutiveFailures: number; limit: number }
  /** A provider refused (429/5xx/usage window); written before the wait so a crash mid-wait leaves the record. */
  | {
      type: 'provider_wait';
      iteration?: number;
      role: Role;
      attempt: number;
      status?: number;
      waitMs: number;
      message: string;
    }
  /** A visual review starts (it was due after this iteration's commit). */
  | { type: 'visual_start'; iteration: number; pendingFeedback: boolean }
  | {
      // The visual capture command ran; `problem` says why its screenshots cannot be used.
      type: 'visual_capture';
      iteration: number;
      command: string;
      outcome: CommandOutcome;
      exitCode: number | null;
      durationMs: number;
      screens: number;
      problem?: string;
      problems?: string[];
      outputTail?: string;
    }
  | {
      // A visual review's verdict; `vetoed` when it turned the iteration into a failure.
      type: 'visual_review';
      iteration: number;
      verdict: VisualVerdict;
      /** Problems with the capture or its manifest, each naming the screen. */
      problems?: string[];
      /** Earlier findings were pending: this review re-checked them (a PASS clears them). */
      pendingFeedback?: boolean;
      /** false when the harness decided BLOCKED (capture failed, bad manifest, no answer). */
      fromModel: boolean;
      summary: string;
      findings: string[];
      images: string[];
      omittedImages: number;
      model?: string;
      error?: string;
      vetoed: boolean;
      historyFile: string;
      feedbackFile: string;
      durationMs: number;
    }
  /**
   * The guard inside pi refused a tool call (`blocked`; the model was told the rule) or, in warn
   * mode, let it run and recorded it (`warned`). A block does not fail the iteration by itself.
   */
  | {
      type: 'guardrail_block';
      iteration?: number;
      role?: Role;
      rule: GuardrailRule;
      action: 'blocked' | 'warned';
      /** The pi tool: bash, write, edit. */
      tool: string;
      /** The bash command as the model sent it (redacted). */
      command?: string;
      /** The path a write or edit named. */
      path?: string;
      /** What the rule concerned: the program as the guard read it, or the path. */
      subject: string;
      reason: string;
      /** The guard ran on fail-safe defaults (its context file was missing or unreadable). */
      contextProblem?: string;
    }
  /**
   * The repository differed from the iteration's snapshot (a ref, the stash, git config, a hook, an
   * ignored file): put back (`applied`), or only reported (warn mode, and changes that are kept).
   */
  | {
      type: 'guardrail_restore';
      iteration?: number;
      moment: RestoreMoment;
      kind: RestoreKind;
      /** The ref, file, hook or path concerned. */
      target: string;
      /** What was found and done, in a phrase. */
      detail: string;
      applied: boolean;
    }
  /** Something the user should know that does not stop the run. */
  | { type: 'warning'; iteration?: number; message: string }
  /** A lock left by a run that is gone was taken over; the old lock file was kept. */
  | { type: 'lock_recovered'; reason: string; movedTo: string }
  /** An iteration of an earlier run never ended (the harness died in it): its work is kept next. */
  | {
      type: 'crash_recovery';
      iteration: number;
      crashedRunId: string;
      taskText: string;
      /** How it is counted: `succeeded` when its commit had been made (the commit stays), else `crashed`. */
      recorded?: RecordedStatus;
      /** The iteration's own commit, left on the branch. */
      commit?: string;
      /** HEAD was moved after the crash by someone other than the iteration's agents: it stays here. */
      keptHead?: string;
      /** Where the record of the iteration came from: the state, or the journal when the state was unreadable. */
      source?: 'state' | 'journal';
      /** What recovery did and why, in words. */
      notes?: string[];
    }
  | { type: 'error'; iteration?: number; message: string }
  /** An operator's request (pause, resume, stop, skip, retry, steer) reached the run; `detail` says what comes next. */
  | {
      type: 'control_received';
      id: string;
      action: ControlAction;
      source: ControlSource;
      /** skip / retry: the task asked for (its id, as the requester resolved it). */
      task?: string;
      /** steer: the guidance. */
      text?: string;
      detail: string;
    }
  /** The run settled an operator's request: what it did, or why nothing was done. */
  | {
      type: 'control_applied';
      id: string;
      action: ControlAction;
      result: ControlResult;
      detail: string;
      taskId?: string;
    }
  /** The task file as the run reads it: at run start, and again whenever it differs from what the journal says. */
  | { type: 'task_list'; tasks: TaskListEntry[] }
  /** A task was parked: the run moves past it until it is retried. */
  | { type: 'task_parked'; taskId: string; cause: ParkCause; reason: string }
  /** A parked task was given back to the run (`pi-harness retry`). */
  | { type: 'task_unparked'; taskId: string }
  /**
   * A parallel run's worker took a task: its own worktree and branch, created from `baseCommit` (the
   * start branch's tip when the task was assigned).
   */
  | {
      type: 'worker_start';
      worker: string;
      iteration: number;
      task: TaskRef;
      baseCommit: string;
      branch: string;
      worktree: string;
    }
  /**
   * The merge queue's verdict on a passing task: `merged` (the start branch moved to `commit`),
   * `conflict` (its change no longer applies onto the start branch), `verify_failed` (the merged
   * tree failed verification). `from` is the worker's commit, `onto` the start branch's tip.
   * `verification`: the test command `ran` on the merged tree, or its passing run on a tree with the
   * same content (the task file aside) was `reused` — the worker's own, when nothing was merged since
   * its base — or there is no test command (`none`).
   */
  | {
      type: 'merge';
      worker: string;
      iteration: number;
      task: TaskRef;
      outcome: MergeOutcome;
      from: string;
      onto: string;
      commit?: string;
      detail?: string;
      verification?: MergeVerification;
    }
  /** A worker's worktree removed, once its HEAD was merged or kept in a rescue ref (`keptIn`). */
  | { type: 'worktree_removed'; worker: string; worktree: string; head: string; keptIn: string }
  /**
   * A worker's worktree moved on to its next iteration's branch (`to`), once the HEAD it had (`head`,
   * on branch `from`, deleted since) was merged or kept in a rescue ref (`keptIn`).
   */
  /**
   * A new worktree given what tests need beside the checkout: the main work tree's ignored
   * dependency folders as hard-linked copies (`copied`, `files` in all), and the setup command's time.
   */
  | {
      type: 'worktree_prepared';
      worker: string;
      worktree: string;
      copied: string[];
      files: number;
      /** Configured folders left out, each `folder: why`. */
      skipped: string[];
      commandMs?: number;
    }
  | {
      type: 'worktree_moved';
      worker: string;
      worktree: string;
      head: string;
      keptIn: string;
      from?: string;
      to: string;
    };

export const MERGE_OUTCOMES = ['merged', 'conflict', 'verify_failed'] as const;
export type MergeOutcome = (typeof MERGE_OUTCOMES)[number];
export const MERGE_VERIFICATIONS = ['ran', 'reused', 'none'] as const;
export type MergeVerification = (typeof MERGE_VERIFICATIONS)[number];

/** One task of the task file, as `task_list` records it. */
export interface TaskListEntry {
  id: string;
  text: string;
  phase: string | null;
  line: number;
  done: boolean;
  parked: boolean;
}

/**
 * Where a baseline's counts come from: an earlier passing verification of the same tree, the one
 * verification the run made at its start, or nowhere (no test command, a failing or unrecognised run).
 */
export type BaselineSource = 'verification' | 'run_start' | 'none';

/** Test counts as a runner's summary gave them (see src/integrity/summary). */
export interface BaselineCounts {
  runner: string;
  run: number;
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
  /** `package`: plain `go test` counts packages, not tests. */
  unit: 'test' | 'package';
  /** False when the output's head was cut off and the counts may miss parts: they are not compared. */
  complete: boolean;
}

export interface RunBudgets {
  maxRunSeconds: number;
  maxRunTokens: number;
  maxTaskTokens: number;
  maxRunCostUsd: number;
}

/** Event types older harness versions wrote; still read, never written. */
export type LegacyEventBody =
  | { type: 'large_files'; iteration: number; files: LargeFileWarning[] }
  | { type: 'large_file'; iteration: number; path: string; lines: number };

export interface Envelope {
  v: number;
  runId: string;
  at: string;
  seq: number;
  /** The parallel run's worker that appended it (absent: the run itself, or a sequential run). */
  worker?: string;
}

export type JournalEvent = JournalEventBody & Envelope;
export type JournalEventType = JournalEventBody['type'];
/** The body of one event type. */
export type BodyOf<T extends string> = Extract<JournalEventBody | LegacyEventBody, { type: T }>;
