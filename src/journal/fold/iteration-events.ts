/**
 * How each iteration event changes the facts of its iteration. Every function mutates in place:
 * the fold is applied to every event of long journals and must stay cheap.
 */
import { detached } from '../../util/detached.js';
import { addUsageInto, emptyUsage } from '../../vocabulary/turns.js';
import type { ReadEventOf } from '../decode.js';
import type { IterationFacts, TurnFacts } from './facts.js';

export function turnFacts(event: ReadEventOf<'turn_end'>, requestedModel: string | null): TurnFacts {
  return {
    role: event.role ?? 'unknown',
    model: event.model ?? requestedModel,
    status: event.status ?? null,
    terminalReason: event.terminalReason ?? null,
    detail: event.detail ?? null,
    durationMs: event.durationMs ?? 0,
    usage: event.usage ?? emptyUsage(),
    modelRequests: event.modelRequests ?? 0,
    toolCalls: event.toolCalls ?? 0,
    toolErrors: event.toolErrors ?? 0,
  };
}

export function addTurn(it: IterationFacts, turn: TurnFacts, event: ReadEventOf<'turn_end'>): void {
  it.turns.push(turn);
  if (turn.role === 'developer' || turn.role === 'developerRetry') it.developer = turn.status;
  if (!it.ended) addUsageInto(it.usage, turn.usage);
  it.modelRequests += turn.modelRequests;
  it.toolCalls += turn.toolCalls;
  it.toolErrors += turn.toolErrors;
  it.roleMs[turn.role] = (it.roleMs[turn.role] ?? 0) + turn.durationMs;
  if (event.model && !it.models.includes(event.model)) it.models.push(event.model);
  if (event.changedFiles) it.changedFiles = event.changedFiles;
  // The most telling terminal reason is the last one that was not a normal completion.
  if (turn.terminalReason && turn.terminalReason !== 'completed') it.terminalReason = turn.terminalReason;
  it.step = `after ${turn.role} turn`;
}

export function addVerification(it: IterationFacts, event: ReadEventOf<'verification'>): void {
  const outcome = event.outcome;
  if (outcome === undefined) return;
  it.verification = outcome;
  it.verificationMs += event.durationMs ?? 0;
  if (outcome !== 'skipped') it.verificationRuns += 1;
  it.lastVerification = {
    after: event.after ?? null,
    command: event.command ?? '',
    outcome,
    exitCode: event.exitCode ?? null,
    durationMs: event.durationMs ?? 0,
    output: event.output ?? event.outputTail ?? '',
  };
  it.step = 'after verification';
}

/** Cuts the iteration's kept verification output to its last `chars` characters. */
export function cutOutput(it: IterationFacts, chars: number): void {
  const last = it.lastVerification;
  // A fresh string, not a view into the whole output (V8 keeps a slice's parent alive).
  if (last && last.output.length > chars) last.output = detached(last.output.slice(-chars));
}

export function addVerdict(it: IterationFacts, event: ReadEventOf<'verdict'>): void {
  const verdict = event.verdict ?? 'UNKNOWN';
  it.verdict = verdict;
  it.verdicts.push(verdict);
  it.lastFindings = event.findings ?? null;
  it.step = 'after verdict';
}

export function addCommit(it: IterationFacts, event: ReadEventOf<'commit'>): void {
  if (!event.commit) return;
  it.commit = {
    sha: event.commit,
    by: event.by ?? null,
    message: event.message ?? null,
    files: event.files ?? [],
    tickedByHarness: event.tickedByHarness ?? false,
  };
}

export function addLargeFiles(it: IterationFacts, files: readonly { path: string; lines: number }[]): void {
  for (const file of files)
    if (!it.largeFiles.some((known) => known.path === file.path)) it.largeFiles.push({ ...file });
}

export function addVisualReview(it: IterationFacts, event: ReadEventOf<'visual_review'>): void {
  it.visualReview = {
    verdict: event.verdict ?? 'BLOCKED',
    vetoed: event.vetoed === true,
    summary: event.summary || event.error || '',
  };
}

/** iteration_end: how it ended, the loop's totals, and whether its commit still stands. */
export function endIteration(it: IterationFacts, event: ReadEventOf<'iteration_end'>): void {
  it.ended = true;
  it.endedAt = event.at || null;
  it.endStatus = event.status ?? null;
  it.status = event.recorded ?? event.status ?? null;
  it.reason = event.reason ?? null;
  it.durationMs = event.durationMs ?? null;
  if (event.usage) it.usage = { ...event.usage };
  if (event.changedFiles) it.changedFiles = event.changedFiles;
  if (event.notes) it.notes.push(...event.notes);
  if (event.largeFiles) addLargeFiles(it, event.largeFiles);
  it.needsRescue = event.needsRescue ?? false;
  if (!it.task && event.task) it.task = event.task;
  if (event.commit) {
    if (it.commit?.sha !== event.commit) it.commit = { ...emptyCommit(), ...it.commit, sha: event.commit };
  } else if (it.commit && it.status !== null && it.status !== 'succeeded') {
    // A commit made and then vetoed: taken back out of the branch, kept in the rescue ref.
    it.revertedCommit = it.commit.sha;
    it.commit = null;
  }
}

function emptyCommit() {
  return { by: null, message: null, files: [], tickedByHarness: false };
}

/** An integrity finding, kept once per rule and path; returns whether it is new to the iteration. */
export function addIntegrityFinding(it: IterationFacts, event: ReadEventOf<'integrity_finding'>): boolean {
  if (event.rule === undefined || event.path === undefined) return false;
  const check = event.check ?? it.integrity.checks + 1;
  if (event.mode) it.integrity.mode = event.mode;
  const known = it.integrity.findings.find((finding) => finding.rule === event.rule && finding.path === event.path);
  if (known) {
    known.lastCheck = Math.max(known.lastCheck, check);
    known.detail = event.detail ?? known.detail;
    return false;
  }
  it.integrity.findings.push({
    rule: event.rule,
    path: event.path,
    detail: event.detail ?? '',
    firstCheck: check,
    lastCheck: check,
  });
  return true;
}

export function addIntegrityCheck(it: IterationFacts, event: ReadEventOf<'integrity_check'>): void {
  it.integrity.checks = Math.max(it.integrity.checks + 1, event.check ?? 0);
  if (event.mode) it.integrity.mode = event.mode;
  it.step = 'after integrity check';
}

export function addIntegrityBaseline(it: IterationFacts, event: ReadEventOf<'integrity_baseline'>): void {
  it.integrity.baseline = {
    testFiles: event.testFiles ?? 0,
    counts: event.counts ?? null,
    source: event.source ?? 'none',
  };
}
