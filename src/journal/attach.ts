/**
 * Wires the projections to a run's journal (one call at run start, before the first event):
 * prunes old runs, brings the previous run's projections up to date if it never finished (the
 * harness was killed), then follows the journal, writing every projection as each event arrives —
 * recreating the runtime directory and rebuilding every projection first when it has disappeared
 * (runtime-dir.ts) — and keeps pi's session files of the run redacted.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';
import { redactJsonlFile, redactSessionDir, sessionDirOf, type Redactor } from '../redact/index.js';
import { listRunJournals, runDirOf, type HarnessHome } from '../runtime/harness-home.js';
import type { JournalEvent } from './events.js';
import type { JournalFold } from './fold/fold.js';
import { RUN_SUMMARY_FILE } from './projections/run-summary.js';
import { rebuildProjections, type RebuildResult } from './rebuild.js';
import { pruneRunDirs } from './retention.js';
import { ProjectionRunner, projectionTargets, runDirOf as projectionDirOf } from './runner.js';
import { recreateRuntimeDir, runtimeDirGone, type Recreated } from './runtime-dir.js';
import { FileSink } from './sink.js';
import type { Journal } from './writer.js';
import { errorMessage } from '../util/errors.js';

export interface AttachOptions {
  redactor: Redactor;
  home: HarnessHome;
  /** Told about problems that do not stop the run (a projection that failed, a recovery). */
  warn?: (message: string) => void;
  /** The runtime directory was gone and has been recreated, its projections rebuilt. */
  onRuntimeDirRecreated?: (recreated: Recreated) => void;
}

export interface AttachResult {
  /** The run's fold, kept current by the projections' listener: other views read it. */
  fold: JournalFold;
  /** Run directories removed by retention. */
  pruned: string[];
  /** The previous run, when it had not finished and its projections were rebuilt. */
  recovered?: RebuildResult;
}

function isFinished(config: Config, runId: string): boolean {
  try {
    const summary = path.join(projectionDirOf(config, runId), RUN_SUMMARY_FILE);
    return (JSON.parse(readFileSync(summary, 'utf8')) as { finished?: unknown }).finished === true;
  } catch {
    return false;
  }
}

/** Only files the harness owns (inside a runs directory of its own) are ever rewritten. */
function insideRuns(home: HarnessHome, config: Config, file: string): boolean {
  const absolute = path.resolve(config.repoRoot, file);
  return [home.runsDir, home.runtimeRunsDir].some((runs) => {
    const relative = path.relative(runs, absolute);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  });
}

/** The newest run before this one, with its projections brought up to date if it never finished. */
function catchUpPrevious(journal: Journal, config: Config, options: AttachOptions): RebuildResult | undefined {
  const previous = listRunJournals(options.home).find((run) => run.runId < journal.runId);
  if (!previous || isFinished(config, previous.runId)) return undefined;
  try {
    const recovered = rebuildProjections(previous.journal, config, { redactor: options.redactor });
    // The killed run's pi sessions were never swept at its end.
    redactSessionDir(sessionDirOf(path.dirname(previous.journal)), options.redactor);
    return recovered;
  } catch (error) {
    options.warn?.(`could not bring the projections of ${previous.runId} up to date: ${errorMessage(error)}`);
    return undefined;
  }
}

export function attachProjections(journal: Journal, config: Config, options: AttachOptions): AttachResult {
  const warn = options.warn ?? (() => {});
  const { redactor, home } = options;
  const pruned = pruneRunDirs(home, config.keepRuns, journal.runId).removed;
  const recovered = catchUpPrevious(journal, config, options);

  const runDir = runDirOf(home, journal.runId);
  const sink = new FileSink({
    redactor,
    mode: 'live',
    onLateError: (file, error) => warn(`could not write ${file} (${errorMessage(error)})`),
  });
  const runner = new ProjectionRunner(projectionTargets(config, journal.runId), sink, (name, error) =>
    warn(
      `the ${name} projection failed (${errorMessage(error)}); rebuild it from ${path.relative(config.repoRoot, journal.file)}`,
    ),
  );
  journal.onEvent((event: JournalEvent) => {
    if (runtimeDirGone(home)) {
      // The journal already holds this event: the rebuild writes it; the live runner only follows.
      const recreated = recreateRuntimeDir(home, config, { redactor, currentRunId: journal.runId });
      runner.follow(event);
      options.onRuntimeDirRecreated?.(recreated);
    } else runner.apply(event);
    // The files a moment late are on disk when the run returns, not a timer later.
    if (event.type === 'run_end' || event.type === 'error') sink.writeLate();
    try {
      if (event.type === 'turn_end' && event.sessionFile && insideRuns(home, config, event.sessionFile))
        redactJsonlFile(path.resolve(config.repoRoot, event.sessionFile), redactor);
      // pi has exited by run_end: anything it rewrote after a turn is swept now.
      if (event.type === 'run_end') redactSessionDir(sessionDirOf(runDir), redactor);
    } catch (error) {
      warn(`could not redact pi's session files: ${errorMessage(error)}`);
    }
  });
  return { fold: runner.fold, pruned, ...(recovered ? { recovered } : {}) };
}
