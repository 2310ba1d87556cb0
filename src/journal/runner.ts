/**
 * Runs the run's one fold and every projection over a stream of events, and hands the projections'
 * effects to a sink. Each event is applied to the fold first, so every projection reads the same
 * facts. A projection that throws is reported once and skipped for that event; the others, and the
 * run, go on.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { ReadEvent } from './decode.js';
import { JournalFold } from './fold/fold.js';
import { PROJECTIONS } from './projections/index.js';
import type { TokenTurnRecord } from './projections/token-records.js';
import type { AnyProjection, Effect, ProjectionConfig, ProjectionTargets } from './projections/types.js';
import type { FileSink } from './sink.js';

export const RUNS_DIR = 'runs';

export function runDirOf(config: Pick<ProjectionConfig, 'piRuntimeDir'>, runId: string): string {
  return path.join(config.piRuntimeDir, RUNS_DIR, runId);
}

/** The records of a token-usage JSONL file; unreadable lines are skipped. */
export function readTokenHistory(file: string): TokenTurnRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const records: TokenTurnRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as TokenTurnRecord;
      if (
        typeof record.runId === 'string' &&
        typeof record.seq === 'number' &&
        record.usage &&
        Array.isArray(record.tools)
      )
        records.push(record);
    } catch {
      // a torn line from a crash: the rebuild appends the record again
    }
  }
  return records;
}

export function projectionTargets(config: ProjectionConfig, runId: string): ProjectionTargets {
  return {
    config,
    runId,
    runDir: runDirOf(config, runId),
    tokenHistory: readTokenHistory(config.tokenUsageEventsFile),
  };
}

export class ProjectionRunner {
  /** What the journal says so far; other listeners (the terminal) read it too. */
  readonly fold: JournalFold;
  private readonly steps: { name: string; step: (event: ReadEvent) => Effect[] }[];
  private readonly sink: FileSink;
  private readonly onError: (projection: string, error: unknown) => void;
  private readonly failed = new Set<string>();

  constructor(
    targets: ProjectionTargets,
    sink: FileSink,
    onError: (projection: string, error: unknown) => void = () => {},
    projections: readonly AnyProjection[] = PROJECTIONS,
  ) {
    this.fold = new JournalFold(targets.runId);
    this.steps = projections.map((projection) => ({
      name: projection.name,
      step: projection.start(targets, this.fold),
    }));
    this.sink = sink;
    this.onError = onError;
  }

  apply(event: ReadEvent): void {
    this.fold.apply(event);
    for (const { name, step } of this.steps) {
      try {
        for (const effect of step(event)) this.sink.apply(effect);
      } catch (error) {
        if (!this.failed.has(name)) this.onError(name, error);
        this.failed.add(name);
      }
    }
  }

  /**
   * Takes `event` into the fold and every projection's state without writing anything: a rebuild
   * from the journal has just written what it says. The sink forgets its files (they are new) and
   * a projection that failed meanwhile may report again.
   */
  follow(event: ReadEvent): void {
    this.fold.apply(event);
    for (const { step } of this.steps) {
      try {
        step(event);
      } catch {
        // nothing was to be written; the next event reports a projection that keeps failing
      }
    }
    this.sink.forget();
    this.failed.clear();
  }
}
