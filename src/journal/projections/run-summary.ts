/**
 * The state snapshot of one run, `runs/<runId>/summary.json`: how it was started, whether it
 * finished (a run with no run_end event was killed or is still going), each iteration's outcome,
 * commits, rescues, errors, and the run's token breakdown.
 */
import path from 'node:path';
import { addUsage, emptyUsage, type TokenUsage } from '../../agent/types.js';
import type { JournalEvent, TaskRef } from '../events.js';
import { foldIteration, type IterationFacts } from './iteration-facts.js';
import { foldTokenTurn, initialTokenFold, type TokenFoldState, type TokenTurnRecord } from './token-records.js';
import { summarizeTokens } from './token-summary.js';
import type { Projection, ProjectionTargets } from './types.js';

export const RUN_SUMMARY_FILE = 'summary.json';

export interface RunIterationEntry {
  iteration: number;
  task: TaskRef;
  startedAt: string;
  endedAt: string;
  status: string;
  reason: string;
  verification: string;
  verdict: string;
  commit: string | null;
  durationMs: number;
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
  current: { iteration: number; task: TaskRef; startedAt: string; step: string } | null;
  counts: Record<string, number>;
  usage: TokenUsage;
  iterations: RunIterationEntry[];
  commits: { iteration: number; commit: string; by: string; files: string[]; message: string }[];
  rescues: { iteration: number; ref: string; patchFile: string; files: string[] }[];
  errors: { at: string; iteration: number | null; message: string }[];
  tokens: ReturnType<typeof summarizeTokens>;
}

interface RunSummaryState {
  targets: ProjectionTargets;
  summary: RunSummary;
  facts?: IterationFacts;
  fold: TokenFoldState;
  records: TokenTurnRecord[];
}

function emptySummary(runId: string): RunSummary {
  return {
    runId,
    command: null,
    pid: null,
    version: null,
    transport: null,
    repoRoot: null,
    startedAt: null,
    updatedAt: null,
    lastSeq: 0,
    finished: false,
    endedAt: null,
    exitCode: null,
    stopReason: null,
    current: null,
    counts: { iterations: 0 },
    usage: emptyUsage(),
    iterations: [],
    commits: [],
    rescues: [],
    errors: [],
    tokens: summarizeTokens([]),
  };
}

function applyEvent(summary: RunSummary, event: JournalEvent, facts: IterationFacts | undefined): RunSummary {
  const s: RunSummary = { ...summary, updatedAt: event.at, lastSeq: event.seq };
  switch (event.type) {
    case 'run_start':
      return {
        ...s,
        command: event.command,
        pid: event.pid,
        version: event.version,
        transport: event.transport,
        repoRoot: event.repoRoot,
        startedAt: event.at,
      };
    case 'run_end':
      return {
        ...s,
        finished: true,
        endedAt: event.at,
        exitCode: event.exitCode,
        stopReason: event.reason,
        current: null,
      };
    case 'iteration_start':
      return { ...s, current: { iteration: event.iteration, task: event.task, startedAt: event.at, step: 'starting' } };
    case 'turn_start':
      return s.current ? { ...s, current: { ...s.current, step: `${event.role} turn` } } : s;
    case 'turn_end':
    case 'verification':
    case 'verdict':
      return s.current
        ? {
            ...s,
            current: { ...s.current, step: `after ${event.type === 'turn_end' ? `${event.role} turn` : event.type}` },
          }
        : s;
    case 'commit':
      return {
        ...s,
        commits: [
          ...s.commits,
          {
            iteration: event.iteration,
            commit: event.commit,
            by: event.by,
            files: event.files,
            message: event.message,
          },
        ],
      };
    case 'rescue':
      return {
        ...s,
        rescues: [
          ...s.rescues,
          { iteration: event.iteration, ref: event.ref, patchFile: event.patchFile, files: event.files },
        ],
      };
    case 'error':
      return {
        ...s,
        errors: [...s.errors, { at: event.at, iteration: event.iteration ?? null, message: event.message }],
      };
    case 'iteration_end': {
      const status = event.recorded ?? event.status;
      const entry: RunIterationEntry = {
        iteration: event.iteration,
        task: event.task,
        startedAt: facts?.startedAt ?? event.at,
        endedAt: event.at,
        status,
        reason: event.reason,
        verification: facts?.verification ?? 'not_run',
        verdict: facts?.verdict ?? 'not_run',
        commit: event.commit ?? facts?.commit ?? null,
        durationMs: event.durationMs,
        usage: event.usage,
      };
      const counts = { ...s.counts, iterations: (s.counts.iterations ?? 0) + 1, [status]: (s.counts[status] ?? 0) + 1 };
      return {
        ...s,
        current: null,
        iterations: [...s.iterations, entry],
        counts,
        usage: addUsage(s.usage, event.usage),
      };
    }
    default:
      return s;
  }
}

export const runSummaryProjection: Projection<RunSummaryState> = {
  name: 'run-summary',
  initial: (targets) => ({
    targets,
    summary: emptySummary(targets.runId),
    fold: initialTokenFold(targets.config.repoRoot),
    records: [],
  }),
  reduce(state, event) {
    // Tool events change nothing here (turn_end carries the counts); skipping them saves rewrites.
    if (event.type === 'tool') return { state, effects: [] };
    const facts = foldIteration(state.facts, event);
    const { state: fold, record } = foldTokenTurn(state.fold, event);
    const records = record ? [...state.records, record] : state.records;
    const summary = {
      ...applyEvent(state.summary, event, facts),
      ...(record ? { tokens: summarizeTokens(records) } : {}),
    };
    const next: RunSummaryState = { ...state, summary, fold, records, ...(facts ? { facts } : {}) };
    return {
      state: next,
      effects: [
        {
          kind: 'replace',
          file: path.join(state.targets.runDir, RUN_SUMMARY_FILE),
          content: { json: summary },
          scope: 'run',
        },
      ],
    };
  },
};
