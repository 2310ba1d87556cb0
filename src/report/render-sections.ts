/**
 * The report's sections after runs and iterations: parked tasks, a crashed iteration awaiting
 * recovery, rescue refs, large files, failure artifacts, token hotspots and reading problems. Empty
 * sections are left out, except where "none" is itself news (parked tasks, rescue refs).
 */
import { formatCost, formatDuration, formatShortTime, formatTime, formatTokens, oneLine, shortSha } from './format.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';
import type { Hotspot, ReportDocument } from './types.js';

export function renderExtraSections(report: ReportDocument, style: Style): string[] {
  return [
    ...inProgress(report, style),
    ...parked(report, style),
    ...rescueRefs(report, style),
    ...largeFiles(report, style),
    ...failureArtifacts(report, style),
    ...hotspots(report, style),
    ...warnings(report, style),
  ];
}

function section(title: string, style: Style, body: string[]): string[] {
  return ['', style.bold(title), ...body];
}

function inProgress(report: ReportDocument, style: Style): string[] {
  const it = report.inProgress;
  if (!it) return [];
  return section('Unfinished iteration', style, [
    `  iteration ${it.iteration} of run ${it.runId} ("${oneLine(it.taskText, 80)}", started ${formatTime(it.startedAt)}) never finished;`,
    '  the next `once` or `run` keeps its work in a rescue ref and retries the task from a clean tree.',
  ]);
}

function parked(report: ReportDocument, style: Style): string[] {
  if (report.parkedTasks.length === 0) return report.empty ? [] : section('Parked tasks', style, ['  none']);
  const rows = report.parkedTasks.map((task) => [
    String(task.attempts),
    String(task.failures),
    { text: task.lastStatus ?? '-', paint: (text: string) => style.status(task.lastStatus ?? '', text) },
    oneLine(task.lastReason ?? '-', 60),
    formatShortTime(task.parkedAt),
    oneLine(
      task.text
        ? task.phase
          ? `${task.phase} / ${task.text}`
          : task.text
        : `(task ${task.id}, no longer in the task file)`,
      90,
    ),
  ]);
  const table = renderTable(
    [
      { header: 'ATTEMPTS', align: 'right' },
      { header: 'FAILED', align: 'right' },
      { header: 'LAST' },
      { header: 'LAST REASON' },
      { header: 'PARKED' },
      { header: 'TASK' },
    ],
    rows,
    { headerPaint: style.dim },
  );
  return section(
    `Parked tasks (${report.parkedTasks.length}; skipped by later runs until their state is cleared)`,
    style,
    table,
  );
}

function rescueRefs(report: ReportDocument, style: Style): string[] {
  const { total, refs } = report.rescueRefs;
  if (total === 0) return report.empty ? [] : section('Rescue refs', style, ['  none']);
  const rows = refs.map((ref) => [ref.ref, shortSha(ref.commit), formatTime(ref.date), ref.patchFile ?? '-']);
  const table = renderTable([{ header: 'REF' }, { header: 'COMMIT' }, { header: 'DATE' }, { header: 'PATCH' }], rows, {
    headerPaint: style.dim,
  });
  const more =
    total > refs.length ? [`  … and ${total - refs.length} older (git for-each-ref refs/pi-harness/rescue)`] : [];
  return section(
    `Rescue refs (${total}): work of failed iterations — \`git diff <ref>~1 <ref>\` to see it, \`git apply <patch>\` to bring it back`,
    style,
    [...table, ...more],
  );
}

function largeFiles(report: ReportDocument, style: Style): string[] {
  if (report.largeFiles.length === 0) return [];
  const rows = report.largeFiles.map((file) => [file.path, String(file.lines), `${file.iteration}`]);
  return section(
    'Large files touched (agents edit these badly; consider splitting)',
    style,
    renderTable(
      [{ header: 'FILE' }, { header: 'LINES', align: 'right' }, { header: 'ITERATION', align: 'right' }],
      rows,
      { headerPaint: style.dim },
    ),
  );
}

function failureArtifacts(report: ReportDocument, style: Style): string[] {
  const { dir, total, paths } = report.failureArtifacts;
  if (total === 0) return [];
  const more = total > paths.length ? [`  … and ${total - paths.length} older in ${dir}`] : [];
  return section(`Failure artifacts (${total}, newest first)`, style, [...paths.map((file) => `  ${file}`), ...more]);
}

function hotspotTable(title: string, unit: string, entries: readonly Hotspot[], style: Style): string[] {
  if (entries.length === 0) return [];
  const rows = entries.map((entry) => [
    entry.key,
    String(entry.count),
    formatTokens(entry.tokens),
    formatCost(entry.cost),
    formatDuration(entry.durationMs),
  ]);
  return renderTable(
    [
      { header: title },
      { header: unit, align: 'right' },
      { header: 'TOKENS', align: 'right' },
      { header: 'COST', align: 'right' },
      { header: 'TIME', align: 'right' },
    ],
    rows,
    { headerPaint: style.dim },
  );
}

const spaced = (lines: string[]) => (lines.length > 0 ? ['', ...lines] : lines);

function hotspots(report: ReportDocument, style: Style): string[] {
  const { byRole, byModel, byTool, byFile } = report.hotspots;
  if (byRole.length === 0) return [];
  return section(
    'Token hotspots (runs shown; tool and file tokens are a turn’s tokens shared across its tool calls)',
    style,
    [
      ...hotspotTable('ROLE', 'TURNS', byRole, style),
      ...spaced(hotspotTable('MODEL', 'TURNS', byModel, style)),
      ...spaced(hotspotTable('TOOL', 'CALLS', byTool, style)),
      ...spaced(hotspotTable('FILE', 'CALLS', byFile, style)),
    ],
  );
}

function warnings(report: ReportDocument, style: Style): string[] {
  if (report.warnings.length === 0) return [];
  return section(
    'Warnings',
    style,
    report.warnings.map((warning) => `  ${warning}`),
  );
}
