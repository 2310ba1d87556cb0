/**
 * What the fold knows about a run, its iterations and the turn in flight: plain data, read by every
 * view (projections, `report`, the run summary, and the `status` command and dashboard to come).
 * Unknown parts are null, never guessed: journals from other harness versions may lack fields.
 */
import type { BudgetAction, BudgetKind } from '../../vocabulary/budgets.js';
import type { CommandOutcome } from '../../vocabulary/commands.js';
import type { RunResult, StopKind } from '../../vocabulary/exit-codes.js';
import type { LargeFileWarning } from '../../vocabulary/files.js';
import type {
  CommitAuthor,
  EndReason,
  IterationStatus,
  RecordedStatus,
  TaskRef,
  VerifyAfter,
} from '../../vocabulary/iterations.js';
import type { IntegrityMode, IntegrityRule } from '../../vocabulary/integrity.js';
import type { Role } from '../../vocabulary/roles.js';
import { emptyUsage, type TerminalReason, type TokenUsage, type TurnStatus } from '../../vocabulary/turns.js';
import type { Verdict, VisualVerdict } from '../../vocabulary/verdicts.js';
import type { ControlAction, ControlResult, ControlSource, ParkCause } from '../../vocabulary/control.js';
import type { BaselineCounts, BaselineSource, RunBudgets, TaskListEntry } from '../events.js';

export interface TurnFacts {
  role: Role | 'unknown';
  /** The model that answered, else the one the turn asked for; null: pi's default. */
  model: string | null;
  status: TurnStatus | null;
  terminalReason: TerminalReason | null;
  detail: string | null;
  durationMs: number;
  usage: TokenUsage;
  modelRequests: number;
  toolCalls: number;
  toolErrors: number;
}

/** The agent turn running right now, as far as the journal has told. */
export interface TurnInFlight {
  iteration: number;
  role: Role | 'unknown';
  /** The step it serves (developer, developerRetry, developerFix, tester, visualReview). */
  step: string;
  model: string | null;
  startedAt: string;
  toolCalls: number;
  lastTool: { name: string; path?: string } | null;
  /** The turn's tool calls as they started, oldest first (the latest MAX_TURN_TOOLS). */
  tools: ToolCallStart[];
  /** Usage of the model requests finished so far. */
  usage: TokenUsage;
  modelRequests: number;
  /** Tokens the last model request sent (input + cache): how full the context is. */
  contextTokens: number | null;
  /** The model's context window, when the configuration declares it. */
  contextWindow: number | null;
}

/** A tool call of the turn in flight, as it started. */
export interface ToolCallStart {
  name: string;
  path?: string;
  command?: string;
  at: string;
}

/** Tool calls of the turn in flight the fold keeps (a looping agent can make thousands). */
export const MAX_TURN_TOOLS = 200;

/** An operator's request as the journal tells it. */
export interface ControlRecord {
  id: string;
  action: ControlAction;
  source: ControlSource | null;
  task: string | null;
  text: string | null;
  receivedAt: string;
  /** What the run said it will do when it received the request. */
  plan: string;
  /** Null until the run settled it. */
  result: ControlResult | null;
  detail: string | null;
  appliedAt: string | null;
}

/** Operator control of the run: paused or not, and the requests so far (the latest MAX_CONTROLS). */
export interface ControlFacts {
  paused: boolean;
  pausedAt: string | null;
  requests: ControlRecord[];
}

export const MAX_CONTROLS = 50;

/**
 * Characters of an ended iteration's verification output the fold keeps once a later iteration has
 * ended too (its failure artifact is written by then): as much as any view shows of it. A long run
 * must not keep every test run's whole output.
 */
export const KEPT_OUTPUT_CHARS = 8000;

/**
 * Ended iterations that keep KEPT_OUTPUT_CHARS of their output (the latest; the dashboard's first
 * page shows about as many). Older ones keep OLD_OUTPUT_CHARS, the end of a test run's output
 * where its counts are: a night of 500 iterations would otherwise hold 500 tails of 8000
 * characters, about 4 MB, for views that show one at a time. A failing verification's tail is also
 * in its failure artifact, and the whole output in the journal.
 */
export const RECENT_OUTPUT_ITERATIONS = 50;
export const OLD_OUTPUT_CHARS = 1000;

/** A task of the task file, with what the journal says happened to it. */
export interface TaskEntryFacts extends TaskListEntry {
  /** Why it is parked, when it is. */
  parkCause: ParkCause | null;
  parkReason: string | null;
}

export interface VerificationFacts {
  after: VerifyAfter | null;
  command: string;
  outcome: CommandOutcome;
  exitCode: number | null;
  durationMs: number;
  /** The whole captured output when the journal has it, else the journal's tail. */
  output: string;
}

export interface CommitFacts {
  sha: string;
  by: CommitAuthor | null;
  message: string | null;
  files: string[];
  tickedByHarness: boolean;
}

export interface RescueFacts {
  ref: string;
  commit: string | null;
  patchFile: string | null;
  files: string[];
}

/** One finding of an iteration's integrity checks, once however many checks saw it. */
export interface IntegrityFindingFacts {
  rule: IntegrityRule;
  path: string;
  detail: string;
  /** The first and the last check (1, 2 …) that reported it. */
  firstCheck: number;
  lastCheck: number;
}

/** What the integrity checks of one iteration compared against and found. */
export interface IntegrityFacts {
  mode: IntegrityMode | null;
  /** Checks that ran (one after each passing verification). */
  checks: number;
  baseline: { testFiles: number; counts: BaselineCounts | null; source: BaselineSource } | null;
  findings: IntegrityFindingFacts[];
}

/** What the guardrails did: tool calls refused, and changes to the repository found after turns. */
export interface GuardrailFacts {
  /** Tool calls the guard refused (the model was told the rule). */
  blocked: number;
  /** Tool calls it let run and recorded (warn mode). */
  warned: number;
  /** Changes put back: a ref, the stash, git config, a hook, an ignored file. */
  restored: number;
  /** Changes found and not put back: refs the agents created, edited ignored files, warn mode. */
  reported: number;
  /** Blocks and warnings per rule. */
  byRule: Record<string, number>;
  /** The first changes found, as `<target>: <detail>` (capped; the counts are exact). */
  changes: string[];
}

export function emptyGuardrails(): GuardrailFacts {
  return { blocked: 0, warned: 0, restored: 0, reported: 0, byRule: {}, changes: [] };
}

export interface IterationFacts {
  runId: string;
  iteration: number;
  /** Null when the journal never named it (a damaged iteration_start). */
  task: TaskRef | null;
  /** The commit the iteration started from (its diff is taken against it). */
  startCommit: string | null;
  startedAt: string | null;
  /** The time of the iteration's latest event (how long a crashed iteration ran). */
  lastAt: string | null;
  /** What it is doing, or did last: `starting`, `developer turn`, `after verification`... */
  step: string;
  ended: boolean;
  endedAt: string | null;
  /** As state recorded it (`interrupted` when a signal stopped it), else the loop's status. */
  status: RecordedStatus | null;
  /** The loop's own status at iteration_end. */
  endStatus: IterationStatus | null;
  reason: EndReason | null;
  durationMs: number | null;
  /** Status of the last developer (or developerRetry) turn. */
  developer: TurnStatus | null;
  /** Outcome of the last verification, or `not_run`. */
  verification: CommandOutcome | 'not_run';
  /** Verifications that ran the test command: a skipped verification (no testCommand) is not one. */
  verificationRuns: number;
  verificationMs: number;
  lastVerification: VerificationFacts | null;
  verdict: Verdict | 'not_run';
  verdicts: Verdict[];
  /** The findings of the last tester verdict. */
  lastFindings: string | null;
  /** The commit that stands; a commit a veto took back is `revertedCommit`. */
  commit: CommitFacts | null;
  revertedCommit: string | null;
  rescue: RescueFacts | null;
  turns: TurnFacts[];
  /** Summed over the turns until iteration_end, then the loop's own total from it. */
  usage: TokenUsage;
  modelRequests: number;
  toolCalls: number;
  toolErrors: number;
  /** Agent time per role. */
  roleMs: Partial<Record<string, number>>;
  /** Models that answered, in order of first use. */
  models: string[];
  /** The terminal reason of the last agent turn that did not complete normally. */
  terminalReason: TerminalReason | null;
  /** The iteration's changed files as last reported (after a turn, or at the end). */
  changedFiles: string[];
  largeFiles: LargeFileWarning[];
  notes: string[];
  needsRescue: boolean;
  visualReview: { verdict: VisualVerdict; vetoed: boolean; summary: string } | null;
  integrity: IntegrityFacts;
  guardrails: GuardrailFacts;
  errors: string[];
  /** The parallel run's worker that ran it; null in a sequential run. */
  worker: string | null;
}

/** Where a parallel run's worker stands: `working` on its task, then what became of it. */
export type WorkerPhase = 'working' | 'queued' | 'merged' | 'conflict' | 'verify_failed' | 'failed' | 'removed';

export interface WorkerFacts {
  worker: string;
  iteration: number | null;
  task: TaskRef | null;
  branch: string | null;
  worktree: string | null;
  phase: WorkerPhase;
  /** The commit the start branch moved to, when its last task merged. */
  merged: string | null;
  /** Tasks it merged so far in the run. */
  mergedCount: number;
  /** Merges refused so far: a conflict, or a failing verification of the merged result. */
  conflictCount: number;
  verifyFailedCount: number;
  /** Its agent turn in flight (the run-wide `turn` is only the latest one started by any worker). */
  turn: TurnInFlight | null;
  /** When its last iteration succeeded and it began to wait for the merge queue (null: not waiting). */
  queuedAt: string | null;
}

export function newWorker(worker: string): WorkerFacts {
  return {
    worker,
    iteration: null,
    task: null,
    branch: null,
    worktree: null,
    phase: 'working',
    merged: null,
    mergedCount: 0,
    conflictCount: 0,
    verifyFailedCount: 0,
    turn: null,
    queuedAt: null,
  };
}

/** Something run-wide the journal recorded, in order: a budget stop, a breaker trip, a loose error. */
export type RunIncident =
  | {
      kind: 'budget';
      budget: BudgetKind | null;
      limit: number | null;
      used: number | null;
      action: BudgetAction | null;
      message: string | null;
    }
  | { kind: 'breaker'; consecutiveFailures: number | null; limit: number | null }
  | { kind: 'error'; message: string };

/** A sum over turns or tool calls (tokens are input + output). */
export interface Tally {
  /** Turns (roles, models) or tool calls (tools, files). */
  count: number;
  tokens: number;
  cost: number;
  durationMs: number;
}

/** Where the run's tokens went. Tools and files carry an even share of their turn's tokens. */
export interface Tallies {
  byRole: Map<string, Tally>;
  byModel: Map<string, Tally>;
  byTool: Map<string, Tally>;
  byFile: Map<string, Tally>;
}

/** The latest outcome of each task the run worked on. */
export interface TaskOutcome {
  task: TaskRef;
  iterations: number;
  /** `running` while an iteration on it is in flight. */
  status: RecordedStatus | 'running';
  reason: EndReason | null;
}

export interface RunFacts {
  runId: string;
  command: 'once' | 'run' | null;
  pid: number | null;
  version: string | null;
  transport: string | null;
  repoRoot: string | null;
  budgets: RunBudgets | null;
  startedAt: string | null;
  /** The latest event's time and sequence number. */
  updatedAt: string | null;
  lastSeq: number;
  /** The journal has run_end. Without it the run is still going or the harness was killed. */
  finished: boolean;
  endedAt: string | null;
  exitCode: number | null;
  stopReason: string | null;
  result: RunResult | null;
  stop: StopKind | null;
  /** run_end's own counts (null before run_end or when it lacks them). */
  reportedIterations: number | null;
  reportedSucceeded: number | null;
  /** Iterations that ended, and how many of those succeeded. */
  ended: number;
  succeeded: number;
  /** Ended iterations by recorded status. */
  counts: Partial<Record<RecordedStatus, number>>;
  /** Summed over ended iterations. */
  usage: TokenUsage;
  commits: (CommitFacts & { iteration: number })[];
  rescues: (RescueFacts & { iteration: number })[];
  /** Rescues of iterations this run did not start (crash recovery of an earlier run). */
  orphanRescues: (RescueFacts & { iteration: number })[];
  errors: { at: string; iteration: number | null; message: string }[];
  warnings: string[];
  incidents: RunIncident[];
  providerWaits: { count: number; totalMs: number; last: string | null };
  /** Integrity findings over the run's iterations (each counted once per iteration). */
  integrityFindings: number;
  /** Over the whole run, crash recovery included. */
  guardrails: GuardrailFacts;
}

export function emptyRun(runId: string): RunFacts {
  return {
    runId,
    command: null,
    pid: null,
    version: null,
    transport: null,
    repoRoot: null,
    budgets: null,
    startedAt: null,
    updatedAt: null,
    lastSeq: 0,
    finished: false,
    endedAt: null,
    exitCode: null,
    stopReason: null,
    result: null,
    stop: null,
    reportedIterations: null,
    reportedSucceeded: null,
    ended: 0,
    succeeded: 0,
    counts: {},
    usage: emptyUsage(),
    commits: [],
    rescues: [],
    orphanRescues: [],
    errors: [],
    warnings: [],
    incidents: [],
    providerWaits: { count: 0, totalMs: 0, last: null },
    integrityFindings: 0,
    guardrails: emptyGuardrails(),
  };
}

export function newIteration(
  runId: string,
  iteration: number,
  task: TaskRef | null,
  at: string | null,
): IterationFacts {
  return {
    runId,
    iteration,
    task,
    startCommit: null,
    startedAt: at,
    lastAt: at,
    step: 'starting',
    ended: false,
    endedAt: null,
    status: null,
    endStatus: null,
    reason: null,
    durationMs: null,
    developer: null,
    verification: 'not_run',
    verificationRuns: 0,
    verificationMs: 0,
    lastVerification: null,
    verdict: 'not_run',
    verdicts: [],
    lastFindings: null,
    commit: null,
    revertedCommit: null,
    rescue: null,
    turns: [],
    usage: emptyUsage(),
    modelRequests: 0,
    toolCalls: 0,
    toolErrors: 0,
    roleMs: {},
    models: [],
    terminalReason: null,
    changedFiles: [],
    largeFiles: [],
    notes: [],
    needsRescue: false,
    visualReview: null,
    integrity: { mode: null, checks: 0, baseline: null, findings: [] },
    guardrails: emptyGuardrails(),
    errors: [],
    worker: null,
  };
}

export function emptyTallies(): Tallies {
  return { byRole: new Map(), byModel: new Map(), byTool: new Map(), byFile: new Map() };
}
