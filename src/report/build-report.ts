/**
 * Builds the report document from the journals, state.json, the lock, git's rescue refs and the
 * artifact directories. Only what is shown is read: the newest `runs` journals in full (they feed
 * the run list, totals and hotspots), then older journals only until `iterations` iterations are
 * collected. Older history costs one directory listing.
 */
import path from 'node:path';
import type { Config } from '../config/load.js';
import { emptyTallies, type RunFacts, type Tallies } from '../journal/fold/facts.js';
import { JournalFold } from '../journal/fold/fold.js';
import { mergeTallies } from '../journal/fold/tallies.js';
import { streamJournal } from '../journal/read.js';
import { addUsageInto, emptyUsage } from '../vocabulary/turns.js';
import { listFailureArtifacts, readSummaryLargeFiles } from './artifacts.js';
import { foldedRun, type FoldedRun } from './from-fold.js';
import { hotspotsOf } from './hotspots.js';
import { readRunLock, type LockView } from './live-run.js';
import { listRescueRefs } from './rescue-refs.js';
import { harnessHome } from '../runtime/harness-home.js';
import { listRunDirs, type RunDir } from './run-dirs.js';
import { readStateView } from './state-view.js';
import { REPORT_SCHEMA_VERSION, type GuardrailReport, type IterationReport, type ReportDocument } from './types.js';

export interface ReportOptions {
  /** Runs to list (newest first). */
  runs: number;
  /** Iterations to list (newest first). */
  iterations: number;
  now?: Date;
}

export const DEFAULT_REPORT_OPTIONS = { runs: 10, iterations: 20 } as const;

/** The statuses that count against a task (as state.ts counts them). */
const FAILURE_STATUSES: ReadonlySet<string> = new Set(['failed', 'stalled', 'blocked', 'crashed']);

/** One run's journal through the one fold; its tallies go into `tallies` when the run is listed. */
async function foldRun(
  config: Config,
  dir: RunDir,
  liveRunId: string | null,
  tallies: Tallies | undefined,
  now: Date,
): Promise<FoldedRun> {
  const fold = new JournalFold(dir.runId, { repoRoot: config.repoRoot });
  const stats = await streamJournal(dir.journal, (event) => fold.apply(event));
  if (tallies) mergeTallies(tallies, fold.tallies);
  return foldedRun(fold, {
    journal: path.relative(config.repoRoot, dir.journal),
    malformedLines: stats.malformed,
    liveRunId,
    now,
  });
}

/** Crash recovery journals the rescue of an earlier run's iteration: give it to that iteration. */
function attachOrphanRescues(orphans: RunFacts['orphanRescues'], iterations: readonly IterationReport[]): void {
  for (const orphan of orphans) {
    const target = iterations.find((it) => it.iteration === orphan.iteration && !it.rescue && it.status === 'crashed');
    if (target) target.rescue = { ref: orphan.ref, patchFile: orphan.patchFile, files: orphan.files };
  }
}

/** The runs read from the journals: the newest `runs` in full, older ones until `iterations` are filled. */
interface History {
  shown: FoldedRun[];
  /** Newest first. */
  iterations: IterationReport[];
  tallies: Tallies;
  malformedLines: number;
}

async function readHistory(
  config: Config,
  dirs: readonly RunDir[],
  options: ReportOptions & { liveRunId: string | null; now: Date },
): Promise<History> {
  const history: History = { shown: [], iterations: [], tallies: emptyTallies(), malformedLines: 0 };
  const orphans: RunFacts['orphanRescues'] = [];
  for (const [index, dir] of dirs.entries()) {
    const listed = index < options.runs;
    if (!listed && history.iterations.length >= options.iterations) break;
    const folded = await foldRun(config, dir, options.liveRunId, listed ? history.tallies : undefined, options.now);
    if (listed) history.shown.push(folded);
    history.malformedLines += folded.run.malformedLines;
    history.iterations.push(...folded.iterations.reverse());
    orphans.push(...folded.orphanRescues);
  }
  attachOrphanRescues(orphans, history.iterations);
  return history;
}

/** Large files the last iteration summary names that its journal did not (older journals). */
async function addSummaryLargeFiles(config: Config, iterations: readonly IterationReport[]): Promise<void> {
  const summary = await readSummaryLargeFiles(config.lastIterationSummaryFile);
  if (!summary) return;
  const target = iterations.find((it) => it.runId === summary.runId && it.iteration === summary.iteration);
  for (const file of summary.largeFiles)
    if (target && !target.largeFiles.some((known) => known.path === file.path)) target.largeFiles.push(file);
}

/** The rescue refs git holds, with the patch files the journals name (made repo-relative). */
async function rescueRefsOf(
  config: Config,
  iterations: readonly IterationReport[],
  warnings: string[],
): Promise<ReportDocument['rescueRefs']> {
  const knownPatches = new Map(
    iterations.flatMap((it) =>
      it.rescue?.patchFile ? [[it.rescue.ref, path.resolve(config.repoRoot, it.rescue.patchFile)] as const] : [],
    ),
  );
  for (const it of iterations)
    if (it.rescue?.patchFile)
      it.rescue.patchFile = path.relative(config.repoRoot, path.resolve(config.repoRoot, it.rescue.patchFile));
  return listRescueRefs(config.repoRoot, config.piRuntimeDir, knownPatches).catch((error: Error) => {
    // Outside a git repository there are no refs: not a problem worth a warning.
    if (!/not a git repository/i.test(error.message))
      warnings.push(`rescue refs could not be listed: ${error.message.split('\n')[0]}`);
    return { total: 0, refs: [] };
  });
}

function addGuardrails(into: GuardrailReport, from: GuardrailReport): void {
  into.blocked += from.blocked;
  into.warned += from.warned;
  into.restored += from.restored;
  into.reported += from.reported;
  for (const [rule, n] of Object.entries(from.byRule)) into.byRule[rule] = (into.byRule[rule] ?? 0) + n;
}

function totalsOf(shown: readonly FoldedRun[]): ReportDocument['totals'] {
  const totals: ReportDocument['totals'] = {
    iterations: 0,
    succeeded: 0,
    failed: 0,
    byStatus: {},
    usage: emptyUsage(),
    modelRequests: 0,
    durationMs: 0,
    integrityFindings: 0,
    guardrails: { blocked: 0, warned: 0, restored: 0, reported: 0, byRule: {}, changes: [] },
  };
  for (const { run, iterations } of shown) {
    addUsageInto(totals.usage, run.usage);
    totals.integrityFindings += run.integrityFindings;
    addGuardrails(totals.guardrails, run.guardrails);
    totals.modelRequests += run.modelRequests;
    totals.durationMs += run.durationMs ?? 0;
    for (const it of iterations) {
      totals.iterations += 1;
      totals.byStatus[it.status] = (totals.byStatus[it.status] ?? 0) + 1;
      if (it.status === 'succeeded') totals.succeeded += 1;
      else if (FAILURE_STATUSES.has(it.status)) totals.failed += 1;
    }
  }
  return totals;
}

export async function buildReport(config: Config, options: ReportOptions): Promise<ReportDocument> {
  const now = options.now ?? new Date();
  const warnings: string[] = [];
  const home = await harnessHome(config);
  const dirs = listRunDirs(home);
  const lock = await readRunLock(home, now);
  const liveRunId = lock.kind === 'live' ? lock.holder.runId : null;
  const { shown, iterations, tallies, malformedLines } = await readHistory(config, dirs, {
    ...options,
    liveRunId,
    now,
  });
  if (lock.kind === 'live') decorateLiveRun(shown, lock);
  await addSummaryLargeFiles(config, iterations);
  const journalTasks = new Map(
    iterations.filter((it) => it.task.id).map((it) => [it.task.id!, { text: it.task.text, phase: it.task.phase }]),
  );
  const stateView = await readStateView(home, config.taskFile, journalTasks);
  if (stateView.warning) warnings.push(stateView.warning);
  const rescueRefs = await rescueRefsOf(config, iterations, warnings);
  if (malformedLines > 0)
    warnings.push(
      `${malformedLines} journal line(s) could not be read and were skipped (a run that crashed mid-write leaves one)`,
    );
  const failures = await listFailureArtifacts(config.repoRoot, config.failureArtifactDir);
  for (const it of iterations) it.failureArtifacts = failures.byIteration.get(`${it.runId}#${it.iteration}`) ?? [];
  const listedIterations = iterations.slice(0, options.iterations);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    repoRoot: config.repoRoot,
    runtimeDir: path.relative(config.repoRoot, config.piRuntimeDir) || '.',
    empty: dirs.length === 0,
    history: {
      runsTotal: dirs.length,
      runsShown: shown.length,
      iterationsShown: listedIterations.length,
      malformedLines,
    },
    totals: totalsOf(shown),
    runs: shown.map((folded) => folded.run),
    iterations: listedIterations,
    parkedTasks: stateView.parkedTasks,
    inProgress: stateView.inProgress && stateView.inProgress.runId !== liveRunId ? stateView.inProgress : null,
    rescueRefs,
    largeFiles: largeFileList(listedIterations),
    failureArtifacts: { dir: failures.dir, total: failures.total, paths: failures.paths },
    hotspots: hotspotsOf(tallies),
    warnings,
  };
}

/** A running run's reason is what its lock says it is doing. */
function decorateLiveRun(shown: FoldedRun[], lock: Extract<LockView, { kind: 'live' }>): void {
  const run = shown.find((folded) => folded.run.runId === lock.holder.runId)?.run;
  if (run) run.reason = `${lock.holder.status} (pid ${lock.holder.pid}, heartbeat ${lock.holder.heartbeatAt})`;
}

/** Every large-file warning of the iterations listed, newest first, one per path. */
function largeFileList(iterations: readonly IterationReport[]): ReportDocument['largeFiles'] {
  const seen = new Set<string>();
  const list: ReportDocument['largeFiles'] = [];
  for (const it of iterations) {
    for (const file of it.largeFiles) {
      if (seen.has(file.path)) continue;
      seen.add(file.path);
      list.push({ ...file, runId: it.runId, iteration: it.iteration });
    }
  }
  return list;
}
