/** The terminal view of the report: a headline, then runs and iterations, newest first. */
import { formatCost, formatDuration, formatShortTime, formatTime, formatTokens, oneLine, shortSha } from './format.js';
import { guardrailTally } from '../journal/render/phrases.js';
import { renderExtraSections } from './render-sections.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';
import type { GuardrailReport, IterationReport, ReportDocument, RunReport, WorkerReport } from './types.js';

/** How many changes an iteration's lines name (the rest are in --json and the journal). */
const GUARDRAIL_CHANGES_SHOWN = 5;

export function renderReport(report: ReportDocument, style: Style): string {
  const lines = [style.bold(`pi-harness report — ${report.repoRoot}`)];
  if (report.empty) {
    lines.push(
      '',
      'No runs yet: this work tree has no run journal (they are kept under .git/pi-harness/).',
      'Start one with `pi-harness once` (one iteration) or `pi-harness run`.',
    );
    lines.push(...renderExtraSections(report, style));
    return `${lines.join('\n')}\n`;
  }
  lines.push(headline(report), '');
  lines.push(...renderRuns(report, style), '');
  lines.push(...renderIterations(report, style));
  lines.push(...renderExtraSections(report, style));
  return `${lines.join('\n')}\n`;
}

function headline(report: ReportDocument): string {
  const { totals, history } = report;
  const runs =
    history.runsTotal === history.runsShown
      ? `${history.runsTotal} run(s)`
      : `${history.runsShown} of ${history.runsTotal} runs`;
  const outcome = `${totals.iterations} iteration(s)${statusCounts(totals.byStatus)}`;
  const tokens =
    `${formatTokens(totals.usage.input)} tokens in / ${formatTokens(totals.usage.output)} out` +
    (totals.usage.cacheRead > 0 ? ` (${formatTokens(totals.usage.cacheRead)} cache read)` : '');
  const cost = totals.usage.cost > 0 ? ` · ${formatCost(totals.usage.cost)}` : '';
  const integrity = totals.integrityFindings > 0 ? ` · ${totals.integrityFindings} integrity finding(s)` : '';
  const guardrails = guardrailTally(totals.guardrails);
  return (
    `${runs} · ${outcome} · ${tokens}${cost} · ${totals.modelRequests} model requests · ` +
    `${formatDuration(totals.durationMs)}${integrity}${guardrails ? ` · guardrails: ${guardrails}` : ''}`
  );
}

const STATUS_ORDER = ['succeeded', 'failed', 'stalled', 'blocked', 'crashed', 'interrupted', 'skipped', 'running'];

/** `: 5 succeeded, 2 failed, 1 interrupted` in a fixed order, unknown statuses last. */
function statusCounts(byStatus: Record<string, number>): string {
  const keys = Object.keys(byStatus).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return keys.length === 0 ? '' : `: ${keys.map((key) => `${byStatus[key]} ${key}`).join(', ')}`;
}

function rank(status: string): number {
  const index = STATUS_ORDER.indexOf(status);
  return index === -1 ? STATUS_ORDER.length : index;
}

function runReason(run: RunReport): string {
  if (run.status === 'crashed') return 'no run_end: the harness stopped without finishing (crash, kill, power loss)';
  return oneLine(run.reason ?? '-', 90);
}

function renderRuns(report: ReportDocument, style: Style): string[] {
  const lines = [style.bold(`Runs (newest first, ${report.runs.length} of ${report.history.runsTotal})`)];
  const rows = report.runs.map((run) => [
    run.runId,
    run.command ?? '-',
    { text: run.status, paint: (text: string) => style.status(run.status, text) },
    formatTime(run.startedAt),
    formatDuration(run.durationMs),
    run.exitCode === null ? '-' : String(run.exitCode),
    String(run.iterations),
    String(run.succeeded),
    formatTokens(run.usage.input + run.usage.output),
    formatCost(run.usage.cost),
    runReason(run),
  ]);
  const table = renderTable(
    [
      { header: 'RUN' },
      { header: 'CMD' },
      { header: 'STATUS' },
      { header: 'STARTED' },
      { header: 'TIME', align: 'right' },
      { header: 'EXIT', align: 'right' },
      { header: 'ITERS', align: 'right' },
      { header: 'OK', align: 'right' },
      { header: 'TOKENS', align: 'right' },
      { header: 'COST', align: 'right' },
      { header: 'REASON' },
    ],
    rows,
    { headerPaint: style.dim },
  );
  lines.push(table[0]!);
  report.runs.forEach((run, index) => {
    lines.push(table[index + 1]!);
    for (const note of run.notes) lines.push(`      ${style.dim('note:')} ${oneLine(note)}`);
    if (run.integrityFindings > 0)
      lines.push(`      ${style.dim('integrity:')} ${run.integrityFindings} finding(s) in this run`);
    const waits = run.providerWaits;
    if (waits.count > 0)
      lines.push(
        `      ${style.dim('provider waits:')} ${waits.count}, ${formatDuration(waits.totalMs)} in all${waits.last ? ` (last: ${oneLine(waits.last, 80)})` : ''}`,
      );
    const guardrails = guardrailTally(run.guardrails);
    if (guardrails) lines.push(`      ${style.dim('guardrails:')} ${guardrails} in this run`);
    if (run.malformedLines > 0)
      lines.push(
        `      ${style.dim('note:')} ${run.malformedLines} unreadable journal line(s) skipped in ${run.journal}`,
      );
    for (const worker of run.workers ?? []) lines.push(workerLine(worker, style));
  });
  return lines;
}

/** A parallel run's worker under its run: its tasks and iterations, and how its merges went. */
function workerLine(worker: WorkerReport, style: Style): string {
  const refused = [
    worker.conflicts > 0 ? `${worker.conflicts} conflict(s)` : '',
    worker.verifyFailed > 0 ? `${worker.verifyFailed} failed verification once merged` : '',
  ].filter(Boolean);
  return (
    `      ${style.dim(`worker ${worker.worker}:`)} ${worker.tasks} task(s), ${worker.iterations} iteration(s) ` +
    `(${worker.succeeded} succeeded), ${worker.merged} merged${refused.length ? `, ${refused.join(', ')}` : ''}`
  );
}

function taskLabel(it: IterationReport): string {
  const worker = it.worker ? `[${it.worker}] ` : '';
  return oneLine(`${worker}${it.task.phase ? `${it.task.phase} / ${it.task.text}` : it.task.text}`, 100);
}

function reasonOf(it: IterationReport): string {
  if (it.status === 'running') return '-';
  if (it.status === 'crashed' && !it.reason) return 'no iteration_end';
  const reason = it.reason ?? '-';
  return it.terminalReason && it.status !== 'succeeded' ? `${reason} (${it.terminalReason})` : reason;
}

function verificationOf(it: IterationReport): string {
  return it.verificationRuns > 1 ? `${it.verification} ×${it.verificationRuns}` : it.verification;
}

/** The lines under an iteration: where its time went, and whatever needs a second look. */
function details(it: IterationReport, style: Style): string[] {
  const parts = Object.entries(it.durations.byRole).map(([role, ms]) => `${role} ${formatDuration(ms)}`);
  if (it.verificationRuns > 0) parts.push(`verification ${formatDuration(it.durations.verificationMs)}`);
  const out: string[] = [];
  const pad = '      ';
  if (parts.length > 0) out.push(`${pad}${style.dim('time:')} ${parts.join(' · ')}`);
  if (it.commit?.message)
    out.push(
      `${pad}${style.dim('commit:')} ${oneLine(it.commit.message, 80)}${it.commit.by ? ` (by ${it.commit.by})` : ''}`,
    );
  if (it.rescue)
    out.push(
      `${pad}${style.dim('work kept:')} ${it.rescue.ref}${it.rescue.patchFile ? ` (patch ${it.rescue.patchFile})` : ''}`,
    );
  for (const file of it.largeFiles) out.push(`${pad}${style.dim('large file:')} ${file.path} (${file.lines} lines)`);
  out.push(...guardrailLines(it.guardrails, pad, style));
  const review = it.visualReview;
  if (review)
    out.push(
      `${pad}${style.dim('visual review:')} ${style.status(review.verdict)}${review.vetoed ? ' (vetoed the iteration)' : ''}${review.summary ? ` — ${oneLine(review.summary, 80)}` : ''}`,
    );
  out.push(...integrityLines(it, style, pad));
  // The Markdown artifact is the one to read; the JSON twin is for machines (both are in --json).
  const readable = it.failureArtifacts.filter((file) => file.endsWith('.md'));
  for (const file of readable.length > 0 ? readable : it.failureArtifacts)
    out.push(`${pad}${style.dim('failure:')} ${file}`);
  for (const note of it.notes) if (!repeatsDetail(it, note)) out.push(`${pad}${style.dim('note:')} ${oneLine(note)}`);
  for (const turn of it.turns) {
    if (turn.status && turn.status !== 'success')
      out.push(
        `${pad}${style.dim('turn:')} ${turn.role} ${turn.status} (${turn.terminalReason ?? '?'}${turn.detail ? `: ${oneLine(turn.detail, 80)}` : ''})`,
      );
  }
  for (const error of it.errors) out.push(`${pad}${style.dim('error:')} ${oneLine(error)}`);
  return out;
}

const OUTCOME_TEXT = {
  flagged: 'flagged in the commit',
  repaired: 'repaired',
  failed: 'failed the iteration',
  found: 'found',
} as const;

/** One line per integrity finding: rule, path, what became of it, and what was seen. */
function integrityLines(it: IterationReport, style: Style, pad: string): string[] {
  return it.integrity.findings.map(
    (finding) =>
      `${pad}${style.dim('integrity:')} ${finding.rule} ${finding.path} (${OUTCOME_TEXT[finding.outcome]})` +
      (finding.detail ? ` — ${oneLine(finding.detail, 80)}` : ''),
  );
}

function guardrailLines(g: GuardrailReport, pad: string, style: Style): string[] {
  const summary = guardrailTally(g);
  if (!summary) return [];
  const changes = g.changes.slice(0, GUARDRAIL_CHANGES_SHOWN).map((change) => `${pad}  ${oneLine(change, 100)}`);
  const more = g.restored + g.reported - changes.length;
  if (changes.length > 0 && more > 0) changes.push(`${pad}  … ${more} more (report --json, or the journal)`);
  return [`${pad}${style.dim('guardrails:')} ${summary}`, ...changes];
}

/** Loop notes that only repeat a line above (where work was kept, a large file). */
function repeatsDetail(it: IterationReport, note: string): boolean {
  if (it.rescue && note.includes(it.rescue.ref)) return true;
  return note.startsWith('large file:') && it.largeFiles.some((file) => note.includes(file.path));
}

function renderIterations(report: ReportDocument, style: Style): string[] {
  const shown = report.iterations;
  const lines = [style.bold(`Iterations (newest first, ${shown.length} shown)`)];
  if (shown.length === 0) return [...lines, '  none: the runs shown ended before starting an iteration'];
  const rows = shown.map((it) => [
    String(it.iteration),
    formatShortTime(it.startedAt),
    { text: it.status, paint: (text: string) => style.status(it.status, text) },
    reasonOf(it),
    { text: verificationOf(it), paint: (text: string) => style.status(it.verification, text) },
    { text: it.verdict, paint: (text: string) => style.status(it.verdict, text) },
    shortSha(it.commit?.sha),
    formatDuration(it.durations.totalMs),
    `${formatTokens(it.usage.input)}/${formatTokens(it.usage.output)}`,
    formatCost(it.usage.cost),
    String(it.modelRequests),
    taskLabel(it),
  ]);
  const table = renderTable(
    [
      { header: '#', align: 'right' },
      { header: 'STARTED' },
      { header: 'STATUS' },
      { header: 'REASON' },
      { header: 'VERIFY' },
      { header: 'VERDICT' },
      { header: 'COMMIT' },
      { header: 'TIME', align: 'right' },
      { header: 'IN/OUT', align: 'right' },
      { header: 'COST', align: 'right' },
      { header: 'REQ', align: 'right' },
      { header: 'TASK' },
    ],
    rows,
    { headerPaint: style.dim },
  );
  lines.push(table[0]!);
  for (const [index, it] of shown.entries()) lines.push(table[index + 1]!, ...details(it, style));
  return lines;
}
