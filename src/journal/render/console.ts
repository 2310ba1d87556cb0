/**
 * The terminal view of a run: a listener of journal events like every other view, so the terminal
 * can never tell a different story from the log, the report or the dashboard. One line per event
 * worth a human's attention; at each iteration_end a summary read off the run's fold.
 */
import type { ReadEvent, ReadEventOf } from '../decode.js';
import type { IterationFacts } from '../fold/facts.js';
import type { JournalFold } from '../fold/fold.js';
import {
  baselinePhrase,
  commitPhrase,
  findingPhrase,
  oneLine,
  plural,
  guardrailBlockPhrase,
  guardrailRestorePhrase,
  guardrailTally,
  mergePhrase,
  rescuePhrase,
  taskPhrase,
  turnEnding,
  verificationOutcome,
} from './phrases.js';

export interface ConsoleOptions {
  /** Writes one or more lines (without the final newline). */
  write: (lines: string) => void;
  /** The run's fold, already updated with each event the console is shown. */
  fold: JournalFold;
  /** How the journal is named in the closing line (repo-relative). */
  journal: string;
}

const MAX_FINDINGS_SHOWN = 8;

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** The block that closes an iteration: how it ended and what it cost. */
export function iterationSummary(it: IterationFacts): string {
  const tokens = it.usage.input + it.usage.output;
  const lines = [
    `iteration ${it.iteration}: ${(it.endStatus ?? 'unknown').toUpperCase()} (${it.reason ?? 'unknown'})`,
    `  task:         ${it.task?.text ?? '(unknown task)'}${it.task?.phase ? `  [${it.task.phase}]` : ''}`,
    `  developer:    ${it.developer ?? 'not run'}`,
    `  verification: ${it.verification}`,
    `  tester:       ${it.verdict}`,
    `  commit:       ${it.commit ? it.commit.sha.slice(0, 12) : 'none'}`,
    `  duration:     ${seconds(it.durationMs ?? 0)}, ${it.turns.length} turns, ` +
      `${it.modelRequests} model requests, ${tokens} tokens` +
      (it.usage.cost > 0 ? `, $${it.usage.cost.toFixed(4)}` : ''),
  ];
  const integrity = integrityLine(it);
  if (integrity) lines.push(`  integrity:    ${integrity}`);
  const guardrails = guardrailTally(it.guardrails);
  if (guardrails) lines.push(`  guardrails:   ${guardrails}`);
  for (const note of it.notes) lines.push(`  note:         ${note}`);
  return lines.join('\n');
}

/** `clean`, or the findings by rule and path (`2 findings: skip-marker-added test/a.test.js, …`). */
function integrityLine(it: IterationFacts): string | undefined {
  const { checks, findings, mode } = it.integrity;
  if (checks === 0) return undefined;
  if (findings.length === 0) return `clean (${mode})`;
  const named = findings.slice(0, 3).map((finding) => `${finding.rule} ${finding.path}`);
  const more = findings.length > 3 ? `, and ${findings.length - 3} more` : '';
  return `${plural(findings.length, 'finding')} (${mode}): ${named.join(', ')}${more}`;
}

function visualReviewLines(event: ReadEventOf<'visual_review'>): string[] {
  if (event.verdict === 'PASS') {
    const summary = event.summary ? ` — ${event.summary}` : '';
    return [`  visual review: PASS${summary}${event.pendingFeedback ? ' (earlier visual findings cleared)' : ''}`];
  }
  const findings = [...(event.findings ?? []), ...(event.problems ?? [])];
  const shown = findings.slice(0, MAX_FINDINGS_SHOWN).map((line) => `    - ${line}`);
  if (findings.length > MAX_FINDINGS_SHOWN)
    shown.push(`    … ${findings.length - MAX_FINDINGS_SHOWN} more in ${event.historyFile}`);
  return [`  visual review: ${event.verdict} — ${event.summary || event.error || 'no summary'}`, ...shown];
}

function turnLines(event: ReadEvent): string[] | undefined {
  switch (event.type) {
    case 'turn_start':
      if (event.role === 'visualReview')
        return [`  visual review: ${event.images ?? 0} image(s) to ${event.model ?? "pi's default model"}…`];
      return [`  ${event.role} turn${event.model ? ` (${event.model})` : ''}…`];
    case 'tool_start': {
      const what = event.path ? ` ${event.path}` : event.command ? ` ${oneLine(event.command)}` : '';
      return [`    · ${event.name}${what}`];
    }
    case 'heartbeat':
      return [`    … ${event.role} still working (${Math.round((event.elapsedMs ?? 0) / 1000)}s)`];
    case 'soft_continue':
      return [`    · no activity for ${event.silentSeconds}s; nudged the agent to continue`];
    case 'guardrail_block':
      return [`    ! guardrails ${guardrailBlockPhrase(event)}`];
    case 'provider_wait':
      return [`    · provider unavailable (${event.message}); waiting ${Math.round((event.waitMs ?? 0) / 1000)}s`];
    case 'turn_end': {
      if (event.role === 'visualReview') return [];
      const tokens = (event.usage?.input ?? 0) + (event.usage?.output ?? 0);
      const time = ((event.durationMs ?? 0) / 1000).toFixed(1);
      return [`  ${event.role}: ${turnEnding(event)}, ${event.toolCalls ?? 0} tool calls, ${tokens} tokens, ${time}s`];
    }
    default:
      return undefined;
  }
}

/** A finding an earlier check of the iteration already reported is not printed again. */
function findingLines(event: ReadEventOf<'integrity_finding'>, fold: JournalFold): string[] {
  const known = fold
    .iteration(event.iteration)
    ?.integrity.findings.find((finding) => finding.rule === event.rule && finding.path === event.path);
  if (known && event.check !== undefined && known.firstCheck < event.check) return [];
  return [`  integrity finding: ${findingPhrase(event)}`];
}

function stepLines(event: ReadEvent, fold: JournalFold): string[] | undefined {
  switch (event.type) {
    case 'iteration_start':
      return [`\niteration ${event.iteration} — ${taskPhrase(event.task)}`];
    case 'verification_start':
      return [event.command ? `  verification: ${event.command}` : '  verification: skipped (no testCommand)'];
    case 'verification':
      return [`  verification: ${verificationOutcome(event)}`];
    case 'verdict':
      return [`  tester verdict: ${event.verdict}`];
    case 'integrity_baseline_start':
      return [`  integrity baseline: running ${event.command} once for the test counts…`];
    case 'integrity_baseline':
      return [`  integrity baseline: ${baselinePhrase(event)}`];
    case 'integrity_finding':
      return findingLines(event, fold);
    case 'integrity_check':
      return [
        `  integrity check ${event.check}: ` +
          `${event.findings ? plural(event.findings, 'finding') : 'clean'} (${event.mode})`,
      ];
    case 'commit':
      return [`  ${commitPhrase(event)}`];
    case 'rescue':
      return [`  ${rescuePhrase(event)}`];
    case 'guardrail_restore':
      return [`  guardrails: ${guardrailRestorePhrase(event)}`];
    case 'visual_start':
      return [`  visual review${event.pendingFeedback ? ' (re-checking pending visual findings)' : ''}: capturing…`];
    case 'visual_review':
      return visualReviewLines(event);
    default:
      return undefined;
  }
}

function runLines(event: ReadEvent, options: ConsoleOptions): string[] | undefined {
  switch (event.type) {
    case 'lock_recovered':
      return [`recovered a stale lock (${event.reason}); the old lock is at ${event.movedTo}`];
    case 'crash_recovery':
      return [
        `recovering: iteration ${event.iteration} of run ${event.crashedRunId} (task "${event.taskText}") ` +
          'did not finish; keeping its work',
        ...(event.notes ?? []).map((note) => `  ${note}`),
      ];
    case 'warning':
      return [`${event.iteration !== undefined ? '  ' : ''}warning: ${event.message}`];
    case 'error':
      return event.iteration !== undefined ? [`  error: ${event.message}`] : [];
    case 'control_received':
      return [
        `control: ${event.action} from the ${event.source === 'dashboard' ? 'dashboard' : 'command line'} — ${event.detail}`,
      ];
    case 'control_applied':
      return [`control: ${event.action} ${event.result === 'applied' ? 'done' : event.result}: ${event.detail}`];
    case 'task_unparked':
      return [`task unparked: ${event.taskId}`];
    case 'budget':
      return [`budget: ${event.message}`, ...(event.action === 'park_task' ? [`task parked: ${event.message}`] : [])];
    case 'iteration_end': {
      const it = options.fold.iteration(event.iteration);
      return it ? [iterationSummary(it)] : [];
    }
    case 'run_end': {
      const nothing = event.iterations === 0 && (event.stop === 'all_done' || event.stop === 'all_parked');
      return [
        ...(nothing ? [`nothing to do: ${event.reason}`] : []),
        `\n${options.fold.run.command ?? 'run'}: ${event.reason}; ` +
          `${event.succeeded}/${event.iterations} iterations succeeded. Journal: ${options.journal}`,
      ];
    }
    default:
      return undefined;
  }
}

function parallelLines(event: ReadEvent): string[] | undefined {
  switch (event.type) {
    case 'worker_start':
      return [`worker ${event.worker}: iteration ${event.iteration} in ${event.worktree}`];
    case 'merge':
      return [`merge queue: ${mergePhrase(event)}`];
    case 'worktree_removed':
      return [`worker ${event.worker}: worktree removed (its work is in ${event.keptIn})`];
    default:
      return undefined;
  }
}

/** A worker's lines carry its id, so that interleaved iterations stay readable. */
function labelled(lines: string[], worker: string | undefined): string[] {
  if (!worker) return lines;
  return lines.map((line) =>
    line
      .split('\n')
      .map((part) => (part ? `[${worker}] ${part}` : part))
      .join('\n'),
  );
}

/** A journal listener that writes the terminal's lines. */
export function consoleView(options: ConsoleOptions): (event: ReadEvent) => void {
  return (event) => {
    const lines =
      turnLines(event) ?? stepLines(event, options.fold) ?? parallelLines(event) ?? runLines(event, options) ?? [];
    for (const line of labelled(lines, event.worker)) options.write(line);
  };
}
