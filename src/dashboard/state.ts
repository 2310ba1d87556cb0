/**
 * What the API answers, read off a run's fold: the snapshot the page starts from (`/api/state`: the
 * fold itself with its latest iterations — bounded, however long the run), the per-iteration series
 * the charts draw (`/api/series`, asked for after the first render), older iterations a page at a
 * time, one iteration in full, and the list of runs.
 */
import { stat } from 'node:fs/promises';
import type { Config } from '../config/load.js';
import { foldJournal } from '../journal/fold-snapshot.js';
import type { JournalFold } from '../journal/fold/fold.js';
import { iterationRow, seriesOf, type IterationRow } from '../journal/fold/views.js';
import { listRunDirs } from '../report/run-dirs.js';
import { harnessHome, type HarnessHome } from '../runtime/harness-home.js';
import { VERSION } from '../version.js';
import type { ShownRun } from './board.js';
import type { SeriesPayload, StatePayload } from './payloads.js';

/** Iterations the first snapshot carries; older ones come a page at a time. */
const RECENT_ITERATIONS = 100;
/** Each verification output in the snapshot is cut to its end (the page shows the tail). */
const OUTPUT_CHARS = 8000;
/** Commits and rescues listed in the snapshot's run facts (every iteration names its own). */
const RECENT_COMMITS = 100;
const RECENT_RESCUES = 100;

export function statePayload(shown: ShownRun | undefined): StatePayload {
  const base = { version: VERSION, now: new Date().toISOString() };
  if (!shown) return { ...base, runId: null, live: false, controllable: false, seq: 0, fold: null };
  const { fold } = shown;
  const snapshot = fold.snapshot({ iterations: RECENT_ITERATIONS, outputChars: OUTPUT_CHARS });
  return {
    ...base,
    runId: shown.runId,
    live: shown.live,
    controllable: shown.live && shown.inboxDir !== null,
    seq: fold.run.lastSeq,
    fold: {
      ...snapshot,
      run: {
        ...snapshot.run,
        commits: snapshot.run.commits.slice(-RECENT_COMMITS),
        rescues: snapshot.run.rescues.slice(-RECENT_RESCUES),
      },
    },
  };
}

export function seriesPayload(shown: ShownRun | undefined): SeriesPayload {
  return shown ? { runId: shown.runId, series: seriesOf(shown.fold.iterations) } : { runId: null, series: null };
}

/** Iterations before `before` (exclusive), newest first. */
export function iterationPage(fold: JournalFold, before: number, limit: number): IterationRow[] {
  const rows: IterationRow[] = [];
  for (let index = fold.iterations.length - 1; index >= 0 && rows.length < limit; index--) {
    const it = fold.iterations[index]!;
    if (it.iteration < before) rows.push(iterationRow(it));
  }
  return rows;
}

export interface RunSummary {
  runId: string;
  startedAt: string | null;
  endedAt: string | null;
  finished: boolean;
  iterations: number;
  succeeded: number;
  exitCode: number | null;
  stopReason: string | null;
}

function summaryOf(runId: string, fold: JournalFold): RunSummary {
  const { run } = fold;
  return {
    runId,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    finished: run.finished,
    iterations: run.ended,
    succeeded: run.succeeded,
    exitCode: run.exitCode,
    stopReason: run.stopReason,
  };
}

/** Summaries of the repository's runs, newest first; a run's fold is kept while its journal is unchanged. */
export class RunList {
  private readonly cache = new Map<string, { key: string; summary: RunSummary }>();
  private readonly config: Config;
  private home: Promise<HarnessHome> | undefined;

  constructor(config: Config) {
    this.config = config;
  }

  /** `shown`: the run the board has folded already (its journal is not read again; on a long run, seconds). */
  async list(shown?: ShownRun): Promise<RunSummary[]> {
    this.home ??= harnessHome(this.config);
    const dirs = listRunDirs(await this.home);
    const summaries: RunSummary[] = [];
    for (const dir of dirs) {
      if (shown?.runId === dir.runId) {
        await shown.ready;
        summaries.push(summaryOf(dir.runId, shown.fold));
        continue;
      }
      const info = await stat(dir.journal).catch(() => undefined);
      if (!info) continue;
      const key = `${info.size}:${info.mtimeMs}`;
      const known = this.cache.get(dir.runId);
      if (known?.key === key) {
        summaries.push(known.summary);
        continue;
      }
      const summary = summaryOf(dir.runId, foldJournal(dir.journal));
      this.cache.set(dir.runId, { key, summary });
      summaries.push(summary);
    }
    return summaries;
  }
}
