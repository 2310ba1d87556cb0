/**
 * One iteration in flight, in one object: the services its steps use, the facts read once as it
 * began, and the state its steps change. Every step handler (steps/) takes this and nothing else.
 */
import type { Transport } from '../agent/types.js';
import type { Config } from '../config/load.js';
import type { IntegrityFinding, TestBaseline } from '../integrity/index.js';
import type { Journal } from '../journal/writer.js';
import type { Task } from '../tasks/index.js';
import type { LargeFileWarning } from '../vocabulary/files.js';
import { emptyUsage, type TokenUsage } from '../vocabulary/turns.js';
import type { CommandResult } from '../verify/run-command.js';
import type { LoopVisualReview } from '../visual/loop-review.js';
import type { ChangeFilter } from '../workspace/changes.js';
import type { PreDirtySnapshot } from '../workspace/rescue.js';
import { readTreeState, type TreeState } from '../workspace/tree-state.js';
import { enter, FIRST_STEP, initialProgress, type IterationProgress, type Step } from './decide.js';
import type { RunIntegrity } from './integrity-run.js';
import type { RunGuard } from './guard/run-guard.js';
import type { InProgressRecord } from './in-progress.js';
import type { Guidance } from './loop-context.js';
import type { PromptSource } from './prompt-source.js';

/** What every step may use. */
export interface IterationServices {
  config: Config;
  transport: Transport;
  journal: Journal;
  prompts: PromptSource;
  /** The run's guardrails: the snapshot around the iteration, the hooks the harness's commits run. */
  guard: RunGuard;
  /** Fires on SIGINT/SIGTERM or a spent budget. */
  signal: AbortSignal;
  /** Environment of the commands the harness runs for the user (testCommand, the capture command). */
  childEnv: NodeJS.ProcessEnv;
  runId: string;
  /** Updated with the large files the iteration touches, so the next prompts can warn about them. */
  guidance: Guidance;
  /** The iteration as state records it: HEAD after every step, its commit when made. */
  inProgress: InProgressRecord;
  /** The passing verifications the run has seen, for the integrity baselines. */
  integrity: RunIntegrity;
}

/** Facts read once as the iteration begins. */
export interface IterationStart {
  iteration: number;
  task: Task;
  startCommit: string;
  /** The branch HEAD was on (null: detached); commits land on it and nowhere else. */
  startBranch: string | null;
  /**
   * Paths dirty before the iteration (allowDirty): never the iteration's. Grows when the guardrails
   * find an ignored file the agents made visible (an edited .gitignore): that one is never committed
   * either. `filter.preDirty` is this same set.
   */
  preDirty: ReadonlySet<string>;
  preDirtySnapshot?: PreDirtySnapshot;
  /** Ids of the tasks open as it began: agents may tick none but theirs. */
  openAtStart: ReadonlySet<string>;
  filter: ChangeFilter;
  /** Left out of the "did a turn change anything" fingerprint: the task file (a tick is no product change). */
  notProduct: readonly string[];
  startedAt: number;
  /** What the integrity checks compare against (absent when they are off). */
  baseline?: TestBaseline;
}

/** What the steps change as the iteration goes. */
export interface IterationState {
  progress: IterationProgress;
  step: Step;
  /** The work tree as the last step left it. */
  tree: TreeState;
  developerSession?: string;
  lastVerification?: CommandResult;
  /** The tester's last final message, and its findings (without the verdict line). */
  testerText: string;
  findings: string;
  commit?: string;
  /** The repository's commit hooks refused the last commit: why, and their output (for developerFix). */
  commitHookRefusal?: { reason: string; output: string };
  /** Iteration changes the commit left out (plan mode): kept aside even though it succeeded. */
  leftover: string[];
  usage: TokenUsage;
  notes: string[];
  largeFiles: LargeFileWarning[];
  visual?: LoopVisualReview;
  /** The findings of the latest integrity check (a `warn` commit carries them as trailers). */
  integrityFindings: IntegrityFinding[];
  /** Integrity checks run so far. */
  integrityChecks: number;
  /** Findings developerFix was asked to repair: the tester checks they are gone. */
  repairedFindings: IntegrityFinding[];
  /** The tester's diff, read ahead of its turn, with what it is a diff of (tester-diff.ts). */
  testerDiffAhead?: { key: string; diff: Promise<string | undefined> };
}

export interface IterationRun {
  services: IterationServices;
  start: IterationStart;
  state: IterationState;
}

export function initialState(tree: TreeState, visual: LoopVisualReview | undefined): IterationState {
  return {
    progress: enter(initialProgress(), FIRST_STEP),
    step: FIRST_STEP,
    tree,
    testerText: '',
    findings: '',
    leftover: [],
    usage: emptyUsage(),
    notes: [],
    largeFiles: [],
    ...(visual ? { visual } : {}),
    integrityFindings: [],
    integrityChecks: 0,
    repairedFindings: [],
  };
}

export function taskRef(task: Task) {
  return { id: task.id, text: task.text, phase: task.phase, line: task.line };
}

/**
 * The work tree as the iteration sees it now: one read, for the step that just ended. Without
 * `fingerprint` the content is not hashed (nothing will be compared against it).
 */
export function readTree(
  run: IterationRun,
  options: { fingerprint?: boolean; expectedHead?: string } = {},
): Promise<TreeState> {
  return readTreeState({
    repoRoot: run.services.config.repoRoot,
    startCommit: run.start.startCommit,
    filter: run.start.filter,
    notProduct: run.start.notProduct,
    ...options,
  });
}
