/**
 * Rebuilds a run's projections from its journal file: after a crash (the projections may lag the
 * journal by the event in flight), after a projection bug is fixed, or into another directory to
 * check that what was written live agrees with the journal.
 *
 * Append-only files get only the records they lack (their keys say which), so rebuilding twice,
 * or over files that are already complete, changes nothing. Files of the run are rewritten from
 * the journal. Repo-level "latest" files (last prompt, last iteration, tester feedback, token
 * summary) are rewritten too unless `writeLatest: false` — pass that when rebuilding a run that
 * is not the most recent one.
 */
import { redactorFor, redactorFromEnv, type Redactor } from '../redact/index.js';
import type { Config } from '../config/load.js';
import { readJournalFile } from './read.js';
import type { ProjectionConfig } from './projections/types.js';
import { ProjectionRunner, projectionTargets } from './runner.js';
import { FileSink } from './sink.js';
import { errorMessage } from '../util/errors.js';

export interface RebuildOptions {
  redactor?: Redactor;
  writeLatest?: boolean;
  /** Projection failures (one per projection); default: thrown after the rebuild. */
  onError?: (projection: string, error: unknown) => void;
}

export interface RebuildResult {
  runId: string | null;
  events: number;
  /** Journal lines that were not events (a line torn by a crash). */
  skipped: number;
  /** Files moved aside because their header was an older column set. */
  movedAside: string[];
}

export function rebuildProjections(
  journalFile: string,
  config: ProjectionConfig & Partial<Pick<Config, 'models'>>,
  options: RebuildOptions = {},
): RebuildResult {
  const { events, skipped } = readJournalFile(journalFile);
  const runId = events[0]?.runId ?? null;
  if (!runId) return { runId, events: 0, skipped, movedAside: [] };
  const redactor =
    options.redactor ?? (config.models ? redactorFor({ models: config.models }, process.env) : redactorFromEnv());
  const sink = new FileSink({ redactor, mode: 'rebuild', writeLatest: options.writeLatest ?? true });
  const errors: string[] = [];
  const onError =
    options.onError ?? ((projection: string, error: unknown) => errors.push(`${projection}: ${errorMessage(error)}`));
  const runner = new ProjectionRunner(projectionTargets(config, runId), sink, onError);
  for (const event of events) runner.apply(event);
  sink.flush();
  if (errors.length > 0) throw new Error(`rebuilding the projections of ${journalFile} failed: ${errors.join('; ')}`);
  return { runId, events: events.length, skipped, movedAside: sink.movedAside };
}
