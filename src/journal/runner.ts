/**
 * Runs every projection over a stream of events and hands their effects to a sink. A projection
 * that throws is reported once and skipped for that event; the others, and the run, go on.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { JournalEvent } from './events.js';
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
  private readonly steps: { name: string; step: (event: JournalEvent) => Effect[] }[];
  private readonly sink: FileSink;
  private readonly onError: (projection: string, error: unknown) => void;
  private readonly failed = new Set<string>();

  constructor(
    targets: ProjectionTargets,
    sink: FileSink,
    onError: (projection: string, error: unknown) => void = () => {},
    projections: readonly AnyProjection[] = PROJECTIONS,
  ) {
    this.steps = projections.map((projection) => ({ name: projection.name, step: projection.start(targets) }));
    this.sink = sink;
    this.onError = onError;
  }

  apply(event: JournalEvent): void {
    for (const { name, step } of this.steps) {
      try {
        for (const effect of step(event)) this.sink.apply(effect);
      } catch (error) {
        if (!this.failed.has(name)) this.onError(name, error);
        this.failed.add(name);
      }
    }
  }
}
