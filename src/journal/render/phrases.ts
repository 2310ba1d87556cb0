/**
 * The words one event is told in, shared by every text view: the terminal (console.ts) and the log
 * (log-lines.ts) say a commit, a verification or a rescue the same way because they say it here.
 */
import type { TokenUsage } from '../../vocabulary/turns.js';
import type { ReadEventOf } from '../decode.js';

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const shortSha = (commit: string) => commit.slice(0, 10);

export function tokensPhrase(usage: TokenUsage): string {
  const cache = usage.cacheRead || usage.cacheWrite;
  return (
    `${usage.input} in / ${usage.output} out` +
    (cache ? ` / ${usage.cacheRead} cache read / ${usage.cacheWrite} cache write` : '') +
    (usage.cost > 0 ? `, $${usage.cost.toFixed(4)}` : '')
  );
}

/** `commit 0123456789 by agent (tick added by the harness): Add the parser [src/a.ts, TODOS.md]` */
export function commitPhrase(event: ReadEventOf<'commit'>): string {
  const tick = event.tickedByHarness ? ' (tick added by the harness)' : '';
  const files = (event.files ?? []).join(', ');
  return `commit ${shortSha(event.commit ?? '?')} by ${event.by ?? '?'}${tick}: ${event.message ?? ''} [${files}]`;
}

/** `failed (exit 1)`; a skipped verification ran nothing and has no exit code. */
export function verificationOutcome(event: Pick<ReadEventOf<'verification'>, 'outcome' | 'exitCode'>): string {
  const outcome = event.outcome ?? 'unknown';
  const exit = typeof event.exitCode === 'number' && outcome !== 'skipped' ? ` (exit ${event.exitCode})` : '';
  return `${outcome}${exit}`;
}

/** `work kept in refs/pi-harness/rescue/<run>/<i> (2 files, patch <file>)` */
export function rescuePhrase(event: ReadEventOf<'rescue'>): string {
  const files = plural((event.files ?? []).length, 'file');
  return `work kept in ${event.ref ?? '?'} (${files}, patch ${event.patchFile ?? 'none'})`;
}

/** `Phase one / First task` */
export function taskPhrase(task: { text: string; phase: string | null } | undefined, separator = ' / '): string {
  if (!task) return '(unknown task)';
  return `${task.phase ? `${task.phase}${separator}` : ''}${task.text}`;
}

/** `done` or `stalled (no_event_timeout: no event for 900s)` */
export function turnEnding(event: ReadEventOf<'turn_end'>): string {
  if (event.status === 'success') return 'done';
  return `${event.status ?? 'ended'} (${event.terminalReason ?? '?'}${event.detail ? `: ${event.detail}` : ''})`;
}

/** The start of a bash command, on one line and short enough for the terminal. */
export function oneLine(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

const BASELINE_SOURCES = {
  verification: 'from an earlier verification of this tree',
  run_start: 'from the verification at run start',
  none: '',
} as const;

/** `2 test files; node-test ran 4 tests (1 skipped), from the verification at run start` */
export function baselinePhrase(event: ReadEventOf<'integrity_baseline'>): string {
  const files = plural(event.testFiles ?? 0, 'test file');
  const counts = event.counts;
  const run = event.verification;
  const ranAtStart = run ? `; the verification at run start ${verificationOutcome(run)}` : '';
  if (!counts) return `${files}; no test counts to compare${ranAtStart}`;
  const unit = counts.unit === 'package' ? 'test package' : 'test';
  const notRun = counts.skipped + counts.todo;
  const skipped = notRun > 0 ? ` (${notRun} skipped or todo)` : '';
  const partial = counts.complete ? '' : ', incomplete (not compared)';
  const source = BASELINE_SOURCES[event.source ?? 'none'];
  return `${files}; ${counts.runner} ran ${plural(counts.run, unit)}${skipped}${partial}, ${source}`;
}

/** `test-file-deleted: test/a.test.js — test/a.test.js, which held 2 tests, was deleted` */
export function findingPhrase(event: ReadEventOf<'integrity_finding'>): string {
  return `${event.rule ?? '?'}: ${event.path ?? '?'}${event.detail ? ` — ${event.detail}` : ''}`;
}

/** `blocked [git-push] git push origin HEAD` (`warned` when warn mode let it run). */
export function guardrailBlockPhrase(event: ReadEventOf<'guardrail_block'>): string {
  const what = event.command !== undefined ? oneLine(event.command) : (event.path ?? event.subject ?? event.tool);
  const action = event.action === 'warned' ? 'warned (it ran)' : 'blocked';
  return `${action} [${event.rule ?? '?'}] ${event.tool ?? 'tool'}: ${what}`;
}

/** `refs/heads/x: deleted by the agents; recreated at 0123456789` */
export function guardrailRestorePhrase(event: ReadEventOf<'guardrail_restore'>): string {
  return `${event.target ?? '?'}: ${event.detail ?? event.kind ?? 'changed'}`;
}

/** `2 blocked (git-push 1, git-branch 1), 3 put back, 1 reported` — or undefined when nothing happened. */
export function guardrailTally(facts: {
  blocked: number;
  warned: number;
  restored: number;
  reported: number;
  byRule: Record<string, number>;
}): string | undefined {
  const parts: string[] = [];
  const rules = Object.entries(facts.byRule)
    .map(([rule, n]) => `${rule} ${n}`)
    .join(', ');
  if (facts.blocked > 0) parts.push(`${facts.blocked} blocked`);
  if (facts.warned > 0) parts.push(`${facts.warned} warned`);
  if (rules && parts.length > 0) parts[parts.length - 1] += ` (${rules})`;
  if (facts.restored > 0) parts.push(`${facts.restored} put back`);
  if (facts.reported > 0) parts.push(`${facts.reported} reported`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** A merge queue verdict, in a phrase. */
export function mergePhrase(event: ReadEventOf<'merge'>): string {
  const task = event.task?.text ? `"${event.task.text}"` : `iteration ${event.iteration}`;
  switch (event.outcome) {
    case 'merged':
      return (
        `merged ${task} onto ${shortSha(event.onto ?? '')}: the start branch is at ${shortSha(event.commit ?? '')}` +
        (event.verification === 'reused' ? ' (its tree had passed verification already)' : '')
      );
    case 'conflict':
      return `${task} conflicts with the start branch at ${shortSha(event.onto ?? '')}${event.detail ? ` (${event.detail})` : ''}`;
    default:
      return `${task} fails verification once merged onto ${shortSha(event.onto ?? '')}`;
  }
}
