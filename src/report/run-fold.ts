/**
 * Folds one run's journal, event by event, into its RunReport and IterationReports, feeding the
 * token hotspots on the way. Events of types it does not know are ignored, so journals written by
 * newer harness versions still report.
 */
import path from 'node:path';
import { addInto, num, str, zeroUsage, type LooseEvent } from './fields.js';
import type { HotspotTally } from './hotspots.js';
import { applyIterationEvent, closeIteration, startIteration, type IterationFold } from './iteration-fold.js';
import type { IterationReport, RunReport } from './types.js';

/** A rescue journaled for an iteration of an earlier run (crash recovery keeps its work). */
export interface OrphanRescue {
  iteration: number;
  event: LooseEvent;
}

export interface FoldedRun {
  run: RunReport;
  /** Oldest first. */
  iterations: IterationReport[];
  orphanRescues: OrphanRescue[];
}

export class RunFold {
  private readonly run: RunReport;
  private readonly folds = new Map<number, IterationFold>();
  private readonly orphanRescues: OrphanRescue[] = [];
  private lastAt: string | null = null;
  private succeededIterations = 0;
  /** The turn whose tool events follow (pi reports a turn's tools after its turn_end). */
  private toolShare: { tokens: number; cost: number } = { tokens: 0, cost: 0 };

  private readonly repoRoot: string;
  private readonly hotspots: HotspotTally | undefined;

  constructor(runId: string, journal: string, repoRoot: string, hotspots: HotspotTally | undefined) {
    this.repoRoot = repoRoot;
    this.hotspots = hotspots;
    this.run = {
      runId,
      command: null,
      status: 'crashed',
      startedAt: null,
      endedAt: null,
      durationMs: null,
      exitCode: null,
      reason: null,
      iterations: 0,
      succeeded: 0,
      usage: zeroUsage(),
      modelRequests: 0,
      notes: [],
      providerWaits: { count: 0, totalMs: 0, last: null },
      journal,
      malformedLines: 0,
    };
  }

  add(event: LooseEvent): void {
    this.lastAt = str(event, 'at') ?? this.lastAt;
    switch (event.type) {
      case 'run_start':
        this.run.command = str(event, 'command') ?? null;
        this.run.startedAt = str(event, 'at') ?? null;
        return;
      case 'run_end':
        this.run.status = 'finished';
        this.run.endedAt = str(event, 'at') ?? null;
        this.run.exitCode = num(event, 'exitCode') ?? null;
        this.run.reason = str(event, 'reason') ?? null;
        this.run.iterations = num(event, 'iterations') ?? this.run.iterations;
        this.run.succeeded = num(event, 'succeeded') ?? this.run.succeeded;
        return;
      case 'budget':
      case 'breaker':
        this.run.notes.push(describeStop(event));
        return;
      case 'iteration_start': {
        const iteration = num(event, 'iteration');
        if (iteration !== undefined) this.folds.set(iteration, startIteration(this.run.runId, iteration, event));
        return;
      }
      case 'tool':
        this.addTool(event);
        return;
      case 'provider_wait': {
        const waits = this.run.providerWaits;
        waits.count += 1;
        waits.totalMs += num(event, 'waitMs') ?? 0;
        waits.last = str(event, 'message') ?? waits.last;
        return;
      }
    }
    this.addIterationEvent(event);
  }

  private addIterationEvent(event: LooseEvent): void {
    const iteration = num(event, 'iteration');
    const fold = iteration === undefined ? undefined : this.folds.get(iteration);
    if (!fold) {
      if (event.type === 'rescue' && iteration !== undefined) this.orphanRescues.push({ iteration, event });
      else if (event.type === 'error') this.run.notes.push(`error: ${str(event, 'message') ?? 'unknown'}`);
      return;
    }
    const wasEnded = fold.ended;
    const turn = applyIterationEvent(fold, event);
    if (turn) {
      this.hotspots?.addTurn(turn.role, turn.model, turn.usage, turn.durationMs);
      const calls = Math.max(1, turn.toolCalls);
      this.toolShare = { tokens: (turn.usage.input + turn.usage.output) / calls, cost: turn.usage.cost / calls };
    }
    if (!wasEnded && fold.ended && fold.report.status === 'succeeded') this.succeededIterations += 1;
  }

  private addTool(event: LooseEvent): void {
    const name = str(event, 'name') ?? 'unknown';
    const file = str(event, 'path');
    const fold = this.folds.get(num(event, 'iteration') ?? -1);
    this.hotspots?.addTool(
      name,
      file ? this.relative(file) : undefined,
      this.toolShare.tokens,
      this.toolShare.cost,
      num(event, 'durationMs') ?? 0,
    );
    if (fold) fold.lastAt = str(event, 'at') ?? fold.lastAt;
  }

  private relative(file: string): string {
    if (!path.isAbsolute(file)) return path.normalize(file);
    const relative = path.relative(this.repoRoot, file);
    return relative.startsWith('..') ? file : relative;
  }

  /** `liveRunId`: the run holding the lock right now, if any. */
  finish(liveRunId: string | null, malformedLines: number, now: Date): FoldedRun {
    const run = this.run;
    run.malformedLines = malformedLines;
    const running = run.status !== 'finished' && liveRunId === run.runId;
    if (running) run.status = 'running';
    const iterations = [...this.folds.values()].sort((a, b) => a.report.iteration - b.report.iteration);
    for (const [index, fold] of iterations.entries())
      closeIteration(fold, running && index === iterations.length - 1, now);
    for (const fold of iterations) {
      addInto(run.usage, fold.report.usage);
      run.modelRequests += fold.report.modelRequests;
    }
    if (run.status !== 'finished') {
      run.iterations = iterations.length;
      run.succeeded = this.succeededIterations;
    }
    const start = run.startedAt ? Date.parse(run.startedAt) : NaN;
    const endText = run.status === 'finished' ? run.endedAt : running ? now.toISOString() : this.lastAt;
    const end = endText ? Date.parse(endText) : NaN;
    run.durationMs = Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start);
    return { run, iterations: iterations.map((fold) => fold.report), orphanRescues: this.orphanRescues };
  }
}

function describeStop(event: LooseEvent): string {
  if (event.type === 'breaker')
    return `circuit breaker: ${num(event, 'consecutiveFailures') ?? '?'} failed iterations in a row (limit ${num(event, 'limit') ?? '?'})`;
  const message = str(event, 'message') ?? `${str(event, 'kind') ?? 'a'} budget reached`;
  return `budget: ${message}`;
}
