/**
 * The report document: what `pi-harness report --json` prints and what the terminal view renders.
 * One shape for both, so the two can never disagree. Bump REPORT_SCHEMA_VERSION when a field is
 * removed or changes meaning (adding fields does not need a bump).
 */
import type { TokenUsage as Usage } from '../vocabulary/turns.js';

export const REPORT_SCHEMA_VERSION = 1;

/** `running`: its lock is held by a live process. `crashed`: no run_end and nobody holds it. */
export type RunStatus = 'finished' | 'running' | 'crashed';

/** What the guardrails did (the fold's GuardrailFacts): refused tool calls and changes found after turns. */
export interface GuardrailReport {
  blocked: number;
  warned: number;
  restored: number;
  reported: number;
  byRule: Record<string, number>;
  /** The first changes found, `<target>: <detail>` (empty in run and total figures). */
  changes: string[];
}

export interface RunReport {
  runId: string;
  command: string | null;
  status: RunStatus;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
  /** run_end's stop reason; for a running run, the lock's status ("iteration 3"). */
  reason: string | null;
  iterations: number;
  succeeded: number;
  usage: Usage;
  modelRequests: number;
  /** Harness errors, budget stops and circuit-breaker trips journaled during the run. */
  notes: string[];
  /** Waits imposed by the model provider (429, 5xx, usage windows) during the run. */
  providerWaits: { count: number; totalMs: number; last: string | null };
  /** Repo-relative path of the journal. */
  journal: string;
  /** Journal lines that could not be read (a crash mid-write leaves one). */
  malformedLines: number;
  /** Integrity findings over the run's iterations (each counted once per iteration). */
  integrityFindings: number;
  /** Over the whole run, crash recovery included. */
  guardrails: GuardrailReport;
  /** A parallel run's workers, in id order (absent in a sequential run). */
  workers?: WorkerReport[];
}

/** What one worker of a parallel run did: the tasks it took, its iterations, and how its merges went. */
export interface WorkerReport {
  worker: string;
  /** Distinct tasks it worked on. */
  tasks: number;
  iterations: number;
  /** Iterations that passed in its worktree (each then went to the merge queue). */
  succeeded: number;
  merged: number;
  /** Merges refused for a conflict, and for a failing verification of the merged result. */
  conflicts: number;
  verifyFailed: number;
}

/**
 * What became of an integrity finding: `flagged` (warn: the commit carries it), `repaired`
 * (enforce: developerFix undid it), `failed` (enforce: it failed the iteration), `found` (the
 * iteration ended otherwise before the finding was settled).
 */
export type IntegrityOutcome = 'flagged' | 'repaired' | 'failed' | 'found';

export interface IntegrityReport {
  /** The mode in force, null when the checks did not run in this iteration (off, or it ended before). */
  mode: string | null;
  /** Checks run (one after each passing verification). */
  checks: number;
  /** What the checks compared against: test files at the start, tests run by the baseline's verification. */
  baseline: {
    testFiles: number;
    runner: string | null;
    tests: number | null;
    skipped: number | null;
    /** `verification` (an earlier one of the same tree), `run_start`, or `none`. */
    source: string;
  } | null;
  findings: { rule: string; path: string; detail: string; outcome: IntegrityOutcome }[];
}

export interface TurnReport {
  role: string;
  model: string | null;
  status: string | null;
  terminalReason: string | null;
  detail: string | null;
  durationMs: number;
  usage: Usage;
  modelRequests: number;
  toolCalls: number;
  toolErrors: number;
}

export interface IterationReport {
  runId: string;
  iteration: number;
  task: { id: string | null; text: string; phase: string | null };
  /** The parallel run's worker that ran it; null in a sequential run. */
  worker: string | null;
  /**
   * How the iteration ended as state records it (`interrupted` when a signal stopped it), else its
   * end status; `running` or `crashed` when it has no iteration_end.
   */
  status: string;
  /** Why the iteration ended (EndReason), null while running or when it never ended. */
  reason: string | null;
  /** The terminal reason of the last agent turn that did not complete normally, if any. */
  terminalReason: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** Outcome of the last verification (`passed`, `failed`, `skipped`...), or `not_run`. */
  verification: string;
  verificationRuns: number;
  /** The last verdict (`PASS`, `FAIL`, `BLOCKED`, `UNKNOWN`), or `not_run`. */
  verdict: string;
  verdicts: string[];
  commit: { sha: string; by: string | null; message: string | null; files: string[] } | null;
  rescue: { ref: string; patchFile: string | null; files: string[] } | null;
  durations: { totalMs: number | null; verificationMs: number; byRole: Record<string, number> };
  usage: Usage;
  modelRequests: number;
  toolCalls: number;
  toolErrors: number;
  turns: TurnReport[];
  largeFiles: LargeFileWarning[];
  /** The loop's notes at iteration_end (commit notes, parking, interruption...). */
  notes: string[];
  /** The visual review that ran after this iteration, if one did. */
  visualReview: { verdict: string; vetoed: boolean; summary: string } | null;
  /** The integrity checks of the iteration (docs/integrity.md). */
  integrity: IntegrityReport;
  /** Repo-relative failure artifacts written for this iteration. */
  failureArtifacts: string[];
  guardrails: GuardrailReport;
  errors: string[];
}

export interface ParkedTask {
  id: string;
  text: string | null;
  phase: string | null;
  attempts: number;
  failures: number;
  lastStatus: string | null;
  lastReason: string | null;
  parkedAt: string | null;
}

export interface RescueRefReport {
  ref: string;
  commit: string;
  date: string | null;
  subject: string;
  /** Repo-relative patch file, when it still exists. */
  patchFile: string | null;
}

export interface LargeFileWarning {
  path: string;
  lines: number;
}

export interface Hotspot {
  key: string;
  /** Turns (roles, models) or tool calls (tools, files). */
  count: number;
  tokens: number;
  cost: number;
  durationMs: number;
}

export interface ReportDocument {
  schemaVersion: number;
  generatedAt: string;
  repoRoot: string;
  runtimeDir: string;
  /** True when no run has ever been journaled here. */
  empty: boolean;
  history: { runsTotal: number; runsShown: number; iterationsShown: number; malformedLines: number };
  /** Totals over the runs shown. */
  totals: {
    iterations: number;
    succeeded: number;
    /** failed, stalled, blocked and crashed: what counts against a task. */
    failed: number;
    byStatus: Record<string, number>;
    usage: Usage;
    modelRequests: number;
    durationMs: number;
    /** Integrity findings over the runs shown. */
    integrityFindings: number;
    guardrails: GuardrailReport;
  };
  runs: RunReport[];
  iterations: IterationReport[];
  parkedTasks: ParkedTask[];
  /** An iteration state.json records as in progress with no live run: it crashed; the next run recovers it. */
  inProgress: { runId: string; iteration: number; taskText: string; startedAt: string } | null;
  /** Newest first; `refs` is capped, `total` counts them all. */
  rescueRefs: { total: number; refs: RescueRefReport[] };
  largeFiles: Array<LargeFileWarning & { runId: string; iteration: number }>;
  failureArtifacts: { dir: string; total: number; paths: string[] };
  /** Over the runs shown. Tool and file tokens are estimates: a turn's tokens shared across its tool calls. */
  hotspots: { byRole: Hotspot[]; byModel: Hotspot[]; byTool: Hotspot[]; byFile: Hotspot[] };
  /** Problems reading history (an unreadable state file, git unavailable...). */
  warnings: string[];
}
