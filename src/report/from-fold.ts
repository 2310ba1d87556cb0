/**
 * A run's report entries, read off its fold (src/journal/fold): the report counts nothing itself,
 * so it says what the telemetry and the run summary say.
 */
import type { GuardrailFacts, IterationFacts, RunFacts, RunIncident } from '../journal/fold/facts.js';
import type { JournalFold } from '../journal/fold/fold.js';
import { addUsageInto, emptyUsage } from '../vocabulary/turns.js';
import { workerReports } from './worker-report.js';
import type { GuardrailReport, IntegrityOutcome, IntegrityReport, IterationReport, RunReport } from './types.js';

export function guardrailReport(facts: GuardrailFacts, withChanges: boolean): GuardrailReport {
  return {
    blocked: facts.blocked,
    warned: facts.warned,
    restored: facts.restored,
    reported: facts.reported,
    byRule: { ...facts.byRule },
    changes: withChanges ? [...facts.changes] : [],
  };
}

/** A run as the report shows it, its iterations oldest first, and rescues of earlier runs' iterations. */
export interface FoldedRun {
  run: RunReport;
  iterations: IterationReport[];
  orphanRescues: RunFacts['orphanRescues'];
}

export interface RunReading {
  /** Repo-relative path of the journal. */
  journal: string;
  malformedLines: number;
  /** The run holding the lock right now, if any. */
  liveRunId: string | null;
  now: Date;
}

function durationBetween(start: string | null, end: string | null): number | null {
  const from = start ? Date.parse(start) : Number.NaN;
  const to = end ? Date.parse(end) : Number.NaN;
  return Number.isNaN(from) || Number.isNaN(to) ? null : Math.max(0, to - from);
}

function describeIncident(incident: RunIncident): string {
  switch (incident.kind) {
    case 'breaker':
      return (
        `circuit breaker: ${incident.consecutiveFailures ?? '?'} failed iterations in a row ` +
        `(limit ${incident.limit ?? '?'})`
      );
    case 'budget':
      return `budget: ${incident.message ?? `${incident.budget ?? 'a'} budget reached`}`;
    case 'error':
      return `error: ${incident.message}`;
  }
}

function integrityOutcome(it: IterationFacts, lastCheck: number): IntegrityOutcome {
  if (it.integrity.mode === 'warn') return 'flagged';
  if (lastCheck < it.integrity.checks) return 'repaired';
  return it.reason === 'integrity' ? 'failed' : 'found';
}

export function integrityReport(it: IterationFacts): IntegrityReport {
  const { baseline } = it.integrity;
  const counts = baseline?.counts;
  return {
    mode: it.integrity.mode,
    checks: it.integrity.checks,
    baseline: baseline
      ? {
          testFiles: baseline.testFiles,
          runner: counts?.runner ?? null,
          tests: counts ? counts.run : null,
          skipped: counts ? counts.skipped + counts.todo : null,
          source: baseline.source,
        }
      : null,
    findings: it.integrity.findings.map((finding) => ({
      rule: finding.rule,
      path: finding.path,
      detail: finding.detail,
      outcome: integrityOutcome(it, finding.lastCheck),
    })),
  };
}

export function iterationReport(it: IterationFacts, running: boolean, now: Date): IterationReport {
  const status = it.ended ? (it.status ?? 'unknown') : running ? 'running' : 'crashed';
  const end = running ? now.toISOString() : it.lastAt;
  return {
    runId: it.runId,
    iteration: it.iteration,
    task: it.task
      ? { id: it.task.id || null, text: it.task.text, phase: it.task.phase }
      : { id: null, text: '(unknown task)', phase: null },
    worker: it.worker,
    status,
    reason: it.reason,
    terminalReason: it.terminalReason,
    startedAt: it.startedAt,
    endedAt: it.endedAt,
    verification: it.verification,
    verificationRuns: it.verificationRuns,
    verdict: it.verdict,
    verdicts: [...it.verdicts],
    commit: it.commit
      ? { sha: it.commit.sha, by: it.commit.by, message: it.commit.message, files: it.commit.files }
      : null,
    rescue: it.rescue ? { ref: it.rescue.ref, patchFile: it.rescue.patchFile, files: it.rescue.files } : null,
    durations: {
      totalMs: it.ended ? it.durationMs : durationBetween(it.startedAt, end),
      verificationMs: it.verificationMs,
      byRole: { ...(it.roleMs as Record<string, number>) },
    },
    usage: { ...it.usage },
    modelRequests: it.modelRequests,
    toolCalls: it.toolCalls,
    toolErrors: it.toolErrors,
    turns: it.turns.map((turn) => ({ ...turn, usage: { ...turn.usage } })),
    largeFiles: it.largeFiles.map((file) => ({ ...file })),
    notes: [...it.notes],
    visualReview: it.visualReview ? { ...it.visualReview } : null,
    integrity: integrityReport(it),
    failureArtifacts: [],
    guardrails: guardrailReport(it.guardrails, true),
    errors: [...it.errors],
  };
}

export function foldedRun(fold: JournalFold, reading: RunReading): FoldedRun {
  const facts = fold.run;
  const running = !facts.finished && reading.liveRunId === facts.runId;
  const last = fold.iterations.at(-1);
  const iterations = fold.iterations.map((it) => iterationReport(it, running && it === last, reading.now));
  const usage = emptyUsage();
  let modelRequests = 0;
  for (const it of iterations) {
    addUsageInto(usage, it.usage);
    modelRequests += it.modelRequests;
  }
  const status = facts.finished ? 'finished' : running ? 'running' : 'crashed';
  const endText = facts.finished ? facts.endedAt : running ? reading.now.toISOString() : facts.updatedAt;
  const run: RunReport = {
    runId: facts.runId,
    command: facts.command,
    status,
    startedAt: facts.startedAt,
    endedAt: facts.endedAt,
    durationMs: durationBetween(facts.startedAt, endText),
    exitCode: facts.exitCode,
    reason: facts.stopReason,
    iterations: facts.finished ? (facts.reportedIterations ?? iterations.length) : iterations.length,
    succeeded: facts.finished ? (facts.reportedSucceeded ?? facts.succeeded) : facts.succeeded,
    usage,
    modelRequests,
    notes: facts.incidents.map(describeIncident),
    providerWaits: { ...facts.providerWaits },
    journal: reading.journal,
    malformedLines: reading.malformedLines,
    integrityFindings: facts.integrityFindings,
    guardrails: guardrailReport(facts.guardrails, false),
  };
  const workers = workerReports(fold);
  if (workers.length > 0) run.workers = workers;
  return { run, iterations, orphanRescues: facts.orphanRescues };
}
