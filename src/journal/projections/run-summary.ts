/**
 * The state snapshot of one run, `runs/<runId>/summary.json`: how it was started, whether it
 * finished (a run with no run_end event was killed or is still going), each iteration's outcome,
 * commits, rescues, errors, and the run's token breakdown. All of it is read off the run's fold.
 */
import path from 'node:path';
import type { TaskRef } from '../../vocabulary/iterations.js';
import type { TokenUsage } from '../../vocabulary/turns.js';
import type { ReadEvent } from '../decode.js';
import type { IterationFacts } from '../fold/facts.js';
import type { JournalFold } from '../fold/fold.js';
import { tokenRecordOf } from './token-records.js';
import { addTokenRecord, emptyTokenTally, tokenSummaryOf, type TokenTally } from './token-summary.js';
import type { Projection, ProjectionTargets } from './types.js';

export const RUN_SUMMARY_FILE = 'summary.json';

export interface RunIterationEntry {
  iteration: number;
  task: TaskRef | null;
  startedAt: string | null;
  endedAt: string | null;
  status: string | null;
  reason: string | null;
  verification: string;
  /** Verifications that ran the test command (a skipped one did not). */
  verificationRuns: number;
  verdict: string;
  commit: string | null;
  durationMs: number | null;
  usage: TokenUsage;
}

export interface RunSummary {
  runId: string;
  command: string | null;
  pid: number | null;
  version: string | null;
  transport: string | null;
  repoRoot: string | null;
  startedAt: string | null;
  updatedAt: string | null;
  lastSeq: number;
  /** True once the journal has run_end. False after the end means the harness was killed. */
  finished: boolean;
  endedAt: string | null;
  exitCode: number | null;
  stopReason: string | null;
  /** The iteration in progress as of `updatedAt`. */
  current: { iteration: number; task: TaskRef | null; startedAt: string | null; step: string } | null;
  counts: Record<string, number>;
  usage: TokenUsage;
  iterations: RunIterationEntry[];
  commits: { iteration: number; commit: string; by: string | null; files: string[]; message: string | null }[];
  rescues: { iteration: number; ref: string; patchFile: string | null; files: string[] }[];
  errors: { at: string; iteration: number | null; message: string }[];
  tokens: ReturnType<typeof tokenSummaryOf>;
}

interface RunSummaryState {
  targets: ProjectionTargets;
  /** The run's turns summed as they end (a long run keeps no record per turn; added to in place). */
  tally: TokenTally;
  tokens: ReturnType<typeof tokenSummaryOf>;
  /** The latest event the summary was written for (live turn progress does not rewrite it). */
  updatedAt: string | null;
  lastSeq: number;
}

/** Events of the turn in flight change nothing the summary shows; skipping them saves rewrites. */
const NOT_SUMMARISED: ReadonlySet<string> = new Set(['tool', 'tool_start', 'turn_usage', 'heartbeat']);
/** Written the moment they arrive; the summary after any other event may follow a moment later. */
const WRITTEN_AT_ONCE: ReadonlySet<string> = new Set([
  'run_start',
  'iteration_start',
  'iteration_end',
  'commit',
  'error',
  'run_end',
]);

function iterationEntry(it: IterationFacts): RunIterationEntry {
  return {
    iteration: it.iteration,
    task: it.task,
    startedAt: it.startedAt,
    endedAt: it.endedAt,
    status: it.status,
    reason: it.reason,
    verification: it.verification,
    verificationRuns: it.verificationRuns,
    verdict: it.verdict,
    commit: it.commit?.sha ?? null,
    durationMs: it.durationMs,
    usage: it.usage,
  };
}

export function runSummaryOf(fold: JournalFold, state: RunSummaryState): RunSummary {
  const { run, current } = fold;
  return {
    runId: run.runId,
    command: run.command,
    pid: run.pid,
    version: run.version,
    transport: run.transport,
    repoRoot: run.repoRoot,
    startedAt: run.startedAt,
    updatedAt: state.updatedAt,
    lastSeq: state.lastSeq,
    finished: run.finished,
    endedAt: run.endedAt,
    exitCode: run.exitCode,
    stopReason: run.stopReason,
    current: current
      ? { iteration: current.iteration, task: current.task, startedAt: current.startedAt, step: current.step }
      : null,
    counts: { iterations: run.ended, ...run.counts },
    usage: run.usage,
    iterations: fold.iterations.filter((it) => it.ended).map(iterationEntry),
    commits: run.commits.map((c) => ({
      iteration: c.iteration,
      commit: c.sha,
      by: c.by,
      files: c.files,
      message: c.message,
    })),
    rescues: run.rescues.map((r) => ({ iteration: r.iteration, ref: r.ref, patchFile: r.patchFile, files: r.files })),
    errors: run.errors,
    tokens: state.tokens,
  };
}

export const runSummaryProjection: Projection<RunSummaryState> = {
  name: 'run-summary',
  initial: (targets) => {
    const tally = emptyTokenTally();
    return { targets, tally, tokens: tokenSummaryOf(tally), updatedAt: null, lastSeq: 0 };
  },
  reduce(state, event: ReadEvent, fold) {
    if (NOT_SUMMARISED.has(event.type)) return { state, effects: [] };
    const record = event.type === 'turn_end' ? tokenRecordOf(event, fold, state.targets.config.repoRoot) : undefined;
    if (record) addTokenRecord(state.tally, record);
    const next: RunSummaryState = {
      ...state,
      tokens: record ? tokenSummaryOf(state.tally) : state.tokens,
      updatedAt: event.at || state.updatedAt,
      lastSeq: event.seq,
    };
    return {
      state: next,
      effects: [
        {
          kind: 'replace',
          file: path.join(state.targets.runDir, RUN_SUMMARY_FILE),
          content: { json: runSummaryOf(fold, next) },
          scope: 'run',
          soon: !WRITTEN_AT_ONCE.has(event.type),
        },
      ],
    };
  },
};
