/**
 * Wires the projections to a run's journal (one call at run start, before the first event):
 * prunes old run directories, brings the previous run's projections up to date if it never
 * finished (the harness was killed), then follows the journal, writing every projection as each
 * event arrives, and keeps pi's session files of the run redacted.
 */
import path from 'node:path';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';
import { redactJsonlFile, redactSessionDir, sessionDirOf, type Redactor } from '../redact/index.js';
import type { JournalEvent } from './events.js';
import type { JournalFold } from './fold/fold.js';
import { RUN_SUMMARY_FILE } from './projections/run-summary.js';
import { rebuildProjections, type RebuildResult } from './rebuild.js';
import { pruneRunDirs } from './retention.js';
import { ProjectionRunner, projectionTargets, runDirOf, RUNS_DIR } from './runner.js';
import { FileSink } from './sink.js';
import type { Journal } from './writer.js';
import { errorMessage } from '../util/errors.js';

export interface AttachOptions {
  redactor: Redactor;
  /** Told about problems that do not stop the run (a projection that failed, a recovery). */
  warn?: (message: string) => void;
}

export interface AttachResult {
  /** The run's fold, kept current by the projections' listener: other views read it. */
  fold: JournalFold;
  /** Run directories removed by retention. */
  pruned: string[];
  /** The previous run, when it had not finished and its projections were rebuilt. */
  recovered?: RebuildResult;
}

function isFinished(runDir: string): boolean {
  try {
    return (
      (JSON.parse(readFileSync(path.join(runDir, RUN_SUMMARY_FILE), 'utf8')) as { finished?: unknown }).finished ===
      true
    );
  } catch {
    return false;
  }
}

/** The newest run before this one, if it has a journal. */
function previousRun(config: Config, currentRunId: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(path.join(config.piRuntimeDir, RUNS_DIR));
  } catch {
    return undefined;
  }
  const previous = names
    .filter((name) => name < currentRunId && existsSync(path.join(runDirOf(config, name), 'journal.jsonl')))
    .sort()
    .at(-1);
  return previous ? runDirOf(config, previous) : undefined;
}

/** Only files the harness owns (inside its runs directory) are ever rewritten. */
function insideRuns(config: Config, file: string): boolean {
  const relative = path.relative(path.join(config.piRuntimeDir, RUNS_DIR), path.resolve(config.repoRoot, file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export function attachProjections(journal: Journal, config: Config, options: AttachOptions): AttachResult {
  const warn = options.warn ?? (() => {});
  const { redactor } = options;
  const pruned = pruneRunDirs(config.piRuntimeDir, config.keepRuns, journal.runId).removed;

  let recovered: RebuildResult | undefined;
  const previous = previousRun(config, journal.runId);
  if (previous && !isFinished(previous)) {
    try {
      recovered = rebuildProjections(path.join(previous, 'journal.jsonl'), config, { redactor });
      // The killed run's pi sessions were never swept at its end.
      redactSessionDir(sessionDirOf(previous), redactor);
    } catch (error) {
      warn(`could not bring the projections of ${path.basename(previous)} up to date: ${errorMessage(error)}`);
    }
  }

  const runDir = runDirOf(config, journal.runId);
  const runner = new ProjectionRunner(
    projectionTargets(config, journal.runId),
    new FileSink({ redactor, mode: 'live' }),
    (name, error) =>
      warn(
        `the ${name} projection failed (${errorMessage(error)}); rebuild it from ${path.relative(config.repoRoot, journal.file)}`,
      ),
  );
  journal.onEvent((event: JournalEvent) => {
    runner.apply(event);
    try {
      if (event.type === 'turn_end' && event.sessionFile && insideRuns(config, event.sessionFile))
        redactJsonlFile(path.resolve(config.repoRoot, event.sessionFile), redactor);
      // pi has exited by run_end: anything it rewrote after a turn is swept now.
      if (event.type === 'run_end') redactSessionDir(sessionDirOf(runDir), redactor);
    } catch (error) {
      warn(`could not redact pi's session files: ${errorMessage(error)}`);
    }
  });
  return { fold: runner.fold, pruned, ...(recovered ? { recovered } : {}) };
}
