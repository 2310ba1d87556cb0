/**
 * Folds the events of one iteration into its IterationReport. Tolerant by construction: an event
 * missing a field leaves that part of the report unknown, and events the report does not know are
 * ignored by the caller.
 */
import { addInto, num, obj, objects, str, strings, usageOf, zeroUsage, type LooseEvent, type Usage } from './fields.js';
import type { IterationReport, TurnReport } from './types.js';

/** Per-iteration bookkeeping the report itself does not show. */
export interface IterationFold {
  report: IterationReport;
  /** The model named by the turn_start awaiting its turn_end. */
  pendingModel: string | null;
  /** Usage summed over turns; replaced by iteration_end's own total when there is one. */
  turnUsage: Usage;
  ended: boolean;
  lastAt: string | null;
}

export function taskOf(event: LooseEvent): IterationReport['task'] {
  const task = obj(event, 'task');
  return {
    id: task ? (str(task, 'id') ?? null) : null,
    text: task ? (str(task, 'text') ?? '(unknown task)') : '(unknown task)',
    phase: task ? (str(task, 'phase') ?? null) : null,
  };
}

export function startIteration(runId: string, iteration: number, event: LooseEvent): IterationFold {
  return {
    report: {
      runId,
      iteration,
      task: taskOf(event),
      status: 'crashed',
      reason: null,
      terminalReason: null,
      startedAt: str(event, 'at') ?? null,
      endedAt: null,
      verification: 'not_run',
      verificationRuns: 0,
      verdict: 'not_run',
      verdicts: [],
      commit: null,
      rescue: null,
      durations: { totalMs: null, verificationMs: 0, byRole: {} },
      usage: zeroUsage(),
      modelRequests: 0,
      toolCalls: 0,
      toolErrors: 0,
      turns: [],
      largeFiles: [],
      notes: [],
      visualReview: null,
      failureArtifacts: [],
      errors: [],
    },
    pendingModel: null,
    turnUsage: zeroUsage(),
    ended: false,
    lastAt: str(event, 'at') ?? null,
  };
}

/** Applies one event of this iteration; returns the turn it recorded, if it was a turn_end. */
export function applyIterationEvent(fold: IterationFold, event: LooseEvent): TurnReport | undefined {
  const it = fold.report;
  fold.lastAt = str(event, 'at') ?? fold.lastAt;
  switch (event.type) {
    case 'turn_start':
      fold.pendingModel = str(event, 'model') ?? null;
      return undefined;
    case 'turn_end':
      return recordTurn(fold, event);
    case 'verification':
      it.verification = str(event, 'outcome') ?? 'unknown';
      it.verificationRuns += 1;
      it.durations.verificationMs += num(event, 'durationMs') ?? 0;
      return undefined;
    case 'verdict': {
      const verdict = str(event, 'verdict') ?? 'UNKNOWN';
      it.verdict = verdict;
      it.verdicts.push(verdict);
      return undefined;
    }
    case 'commit': {
      const sha = str(event, 'commit');
      if (sha)
        it.commit = {
          sha,
          by: str(event, 'by') ?? null,
          message: str(event, 'message') ?? null,
          files: strings(event, 'files'),
        };
      return undefined;
    }
    case 'rescue':
      attachRescue(it, event);
      return undefined;
    case 'large_files':
    case 'large_file':
      addLargeFiles(it, event);
      return undefined;
    case 'visual_review':
      it.visualReview = {
        verdict: str(event, 'verdict') ?? 'UNKNOWN',
        vetoed: event.vetoed === true,
        summary: str(event, 'summary') ?? str(event, 'error') ?? '',
      };
      return undefined;
    case 'error':
      it.errors.push(str(event, 'message') ?? 'unknown error');
      return undefined;
    case 'iteration_end':
      endIteration(fold, event);
      return undefined;
    default:
      return undefined;
  }
}

export function attachRescue(it: IterationReport, event: LooseEvent): void {
  const ref = str(event, 'ref');
  if (ref) it.rescue = { ref, patchFile: str(event, 'patchFile') ?? null, files: strings(event, 'files') };
}

function addLargeFiles(it: IterationReport, event: LooseEvent): void {
  const entries = event.type === 'large_file' ? [event] : [...objects(event, 'files'), ...objects(event, 'largeFiles')];
  addLargeFileEntries(it, entries);
}

function addLargeFileEntries(it: IterationReport, entries: readonly LooseEvent[]): void {
  for (const entry of entries) {
    const path = str(entry, 'path');
    const lines = num(entry, 'lines');
    if (path && lines !== undefined && !it.largeFiles.some((known) => known.path === path))
      it.largeFiles.push({ path, lines });
  }
}

function recordTurn(fold: IterationFold, event: LooseEvent): TurnReport {
  const it = fold.report;
  const usage = usageOf(event) ?? zeroUsage();
  const turn: TurnReport = {
    role: str(event, 'role') ?? 'unknown',
    model: str(event, 'model') ?? fold.pendingModel,
    status: str(event, 'status') ?? null,
    terminalReason: str(event, 'terminalReason') ?? null,
    detail: str(event, 'detail') ?? null,
    durationMs: num(event, 'durationMs') ?? 0,
    usage,
    modelRequests: num(event, 'modelRequests') ?? 0,
    toolCalls: num(event, 'toolCalls') ?? 0,
    toolErrors: num(event, 'toolErrors') ?? 0,
  };
  fold.pendingModel = null;
  it.turns.push(turn);
  it.durations.byRole[turn.role] = (it.durations.byRole[turn.role] ?? 0) + turn.durationMs;
  addInto(fold.turnUsage, usage);
  it.modelRequests += turn.modelRequests;
  it.toolCalls += turn.toolCalls;
  it.toolErrors += turn.toolErrors;
  // The most telling terminal reason is the last one that was not a normal completion.
  if (turn.terminalReason && turn.terminalReason !== 'completed') it.terminalReason = turn.terminalReason;
  return turn;
}

function endIteration(fold: IterationFold, event: LooseEvent): void {
  const it = fold.report;
  fold.ended = true;
  it.status = str(event, 'recorded') ?? str(event, 'status') ?? 'unknown';
  it.reason = str(event, 'reason') ?? null;
  it.endedAt = str(event, 'at') ?? null;
  it.durations.totalMs = num(event, 'durationMs') ?? null;
  const usage = usageOf(event);
  if (usage) it.usage = usage;
  const sha = str(event, 'commit');
  if (sha && !it.commit) it.commit = { sha, by: null, message: null, files: [] };
  if (it.task.text === '(unknown task)') it.task = taskOf(event);
  it.notes.push(...strings(event, 'notes'));
  addLargeFileEntries(it, objects(event, 'largeFiles'));
}

/** Closes an iteration that has no iteration_end: it is still running, or the harness died in it. */
export function closeIteration(fold: IterationFold, running: boolean, now: Date): void {
  const it = fold.report;
  if (!fold.ended) {
    it.status = running ? 'running' : 'crashed';
    it.usage = fold.turnUsage;
    const start = it.startedAt ? Date.parse(it.startedAt) : NaN;
    const end = running ? now.getTime() : fold.lastAt ? Date.parse(fold.lastAt) : NaN;
    it.durations.totalMs = Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start);
  }
}
