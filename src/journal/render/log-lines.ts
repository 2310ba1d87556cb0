/**
 * One human-readable line per journal event: `<at> <runId>#<seq> <type>: <what happened>`.
 * Events this file does not know (added later) still get a line, with their fields as JSON.
 */
import type { ReadEvent, ReadEventOf } from '../decode.js';
import {
  baselinePhrase,
  commitPhrase,
  findingPhrase,
  guardrailBlockPhrase,
  guardrailRestorePhrase,
  mergePhrase,
  plural,
  rescuePhrase,
  seconds,
  shortSha,
  tokensPhrase,
  verificationOutcome,
} from './phrases.js';
import { emptyUsage } from '../../vocabulary/turns.js';

const ms = (value: number | undefined) => seconds(value ?? 0);
const opt = (present: unknown, text: string) => (present ? text : '');

type Describe = (event: ReadEvent) => string | undefined;

function describeRun(event: ReadEvent): string | undefined {
  switch (event.type) {
    case 'run_start':
      return (
        `pi-harness ${event.version} ${event.command} ` +
        `(pid ${event.pid}, ${event.transport} transport) in ${event.repoRoot}`
      );
    case 'run_end':
      return `exit ${event.exitCode}: ${event.reason}; ${event.succeeded}/${event.iterations} iterations succeeded`;
    case 'lock_recovered':
      return `recovered a stale lock (${event.reason}); the old lock is at ${event.movedTo}`;
    case 'crash_recovery':
      return (
        `iteration ${event.iteration} of run ${event.crashedRunId} ("${event.taskText}") ` +
        `did not finish; keeping its work${(event.notes ?? []).map((note) => `; ${note}`).join('')}`
      );
    case 'provider_wait': {
      const attempt = `attempt ${event.attempt}${opt(event.status !== undefined, `, status ${event.status}`)}`;
      return `${event.role} waits ${ms(event.waitMs)} for the provider (${attempt}): ${event.message}`;
    }
    case 'warning':
    case 'error':
      return `${opt(event.iteration !== undefined, `iteration ${event.iteration}: `)}${event.message}`;
    default:
      return undefined;
  }
}

function describeTool(event: ReadEventOf<'tool' | 'tool_start'>): string {
  return (
    `iteration ${event.iteration} ${event.role} ${event.name}` +
    `${opt(event.path, ` ${event.path}`)}${opt(event.command, ` \`${event.command}\``)}`
  );
}

function describeTurnEnd(event: ReadEventOf<'turn_end'>): string {
  const reason = `${event.terminalReason}${opt(event.detail, `: ${event.detail}`)}`;
  const counts = [
    plural(event.modelRequests ?? 0, 'model request'),
    plural(event.toolCalls ?? 0, 'tool call'),
    plural(event.toolErrors ?? 0, 'tool error'),
  ].join(', ');
  return (
    `iteration ${event.iteration} ${event.role} ${event.status} (${reason}) in ${ms(event.durationMs)}; ${counts}; ` +
    `tokens ${tokensPhrase(event.usage ?? emptyUsage())}; ${plural((event.changedFiles ?? []).length, 'changed file')}`
  );
}

function describeTurn(event: ReadEvent): string | undefined {
  switch (event.type) {
    case 'turn_start': {
      const retry = opt(event.retry, ` (retry: ${event.retry})`);
      const model = opt(event.model, ` on ${event.model}`);
      return `iteration ${event.iteration} ${event.role}${retry}${model}, prompt ${event.promptBytes} bytes`;
    }
    case 'turn_usage':
      return (
        `iteration ${event.iteration} ${event.role} model request ${event.modelRequests}: ` +
        `tokens ${tokensPhrase(event.usage ?? emptyUsage())}`
      );
    case 'tool_start':
      return describeTool(event);
    case 'heartbeat':
      return `iteration ${event.iteration} ${event.role} still working after ${ms(event.elapsedMs)}`;
    case 'soft_continue':
      return `iteration ${event.iteration} ${event.role} silent for ${event.silentSeconds}s; nudged to continue`;
    case 'turn_end':
      return describeTurnEnd(event);
    case 'tool': {
      const result = event.isError ? `ERROR${opt(event.error, `: ${event.error}`)}` : 'ok';
      return `${describeTool(event)} ${result} in ${ms(event.durationMs)}`;
    }
    default:
      return undefined;
  }
}

function describeIterationStart(event: ReadEventOf<'iteration_start'>): string {
  const task = `${opt(event.task?.phase, `[${event.task?.phase}] `)}${event.task?.text ?? '(unknown task)'}`;
  const from = opt(event.startCommit, ` from ${shortSha(event.startCommit ?? '')}`);
  return `iteration ${event.iteration}: ${task} (line ${event.task?.line ?? '?'})${from}`;
}

function describeIteration(event: ReadEvent): string | undefined {
  switch (event.type) {
    case 'iteration_start':
      return describeIterationStart(event);
    case 'verification_start': {
      const what = event.command ? `running ${event.command}` : 'skipped (no testCommand)';
      return `iteration ${event.iteration} after ${event.after}: ${what}`;
    }
    case 'verification':
      return (
        `iteration ${event.iteration} after ${event.after}: ${verificationOutcome(event)} ` +
        `in ${ms(event.durationMs)}${opt(event.command, ` — ${event.command}`)}`
      );
    case 'verdict':
      return `iteration ${event.iteration} tester${opt(event.recheck, ' recheck')}: ${event.verdict}`;
    case 'integrity_baseline_start':
      return `iteration ${event.iteration} integrity baseline: running ${event.command} (once per run)`;
    case 'integrity_baseline':
      return `iteration ${event.iteration} integrity baseline: ${baselinePhrase(event)}`;
    case 'integrity_finding':
      return `iteration ${event.iteration} integrity check ${event.check} (${event.mode}): ${findingPhrase(event)}`;
    case 'integrity_check':
      return (
        `iteration ${event.iteration} integrity check ${event.check} (${event.mode}): ` +
        plural(event.findings ?? 0, 'finding')
      );
    case 'commit':
      return `iteration ${event.iteration} ${commitPhrase(event)}`;
    case 'rescue':
      return `iteration ${event.iteration} ${rescuePhrase(event)}`;
    case 'guardrail_block':
      return (
        `${opt(event.iteration !== undefined, `iteration ${event.iteration} `)}${event.role ?? 'agent'} ` +
        `${guardrailBlockPhrase(event)} — ${event.reason ?? ''}` +
        opt(event.contextProblem, ` (${event.contextProblem})`)
      );
    case 'guardrail_restore':
      return (
        `${opt(event.iteration !== undefined, `iteration ${event.iteration} `)}guardrails ` +
        `(${event.moment ?? '?'}) ${guardrailRestorePhrase(event)}`
      );
    case 'visual_start':
      return `iteration ${event.iteration} visual review${opt(event.pendingFeedback, ' (earlier findings pending)')}`;
    case 'iteration_end':
      return (
        `iteration ${event.iteration}: ${String(event.recorded ?? event.status).toUpperCase()} (${event.reason}) ` +
        `in ${ms(event.durationMs)}; tokens ${tokensPhrase(event.usage ?? emptyUsage())}` +
        opt(event.commit, `; commit ${shortSha(event.commit ?? '')}`)
      );
    default:
      return undefined;
  }
}

function describeParallel(event: ReadEvent): string | undefined {
  switch (event.type) {
    case 'worker_start':
      return (
        `worker ${event.worker} iteration ${event.iteration} on "${event.task?.text ?? '?'}" ` +
        `(branch ${event.branch} from ${shortSha(event.baseCommit ?? '')}, worktree ${event.worktree})`
      );
    case 'merge':
      return `worker ${event.worker} ${mergePhrase(event)}`;
    case 'worktree_removed':
      return `worker ${event.worker} worktree ${event.worktree} removed (HEAD ${shortSha(event.head ?? '')} in ${event.keptIn})`;
    case 'worktree_prepared': {
      const copied = event.copied?.length
        ? `${event.copied.join(', ')} copied (${event.files} files)`
        : 'nothing copied';
      const command = event.commandMs !== undefined ? `, setup command ${(event.commandMs / 1000).toFixed(1)} s` : '';
      const skipped = event.skipped?.length ? `; left out: ${event.skipped.join('; ')}` : '';
      return `worker ${event.worker} worktree ${event.worktree} prepared: ${copied}${command}${skipped}`;
    }
    case 'worktree_moved':
      return (
        `worker ${event.worker} worktree ${event.worktree} moved to ${event.to} ` +
        `(HEAD ${shortSha(event.head ?? '')} in ${event.keptIn})`
      );
    default:
      return undefined;
  }
}

function describeOperator(event: ReadEvent): string | undefined {
  switch (event.type) {
    case 'control_received': {
      const what = opt(event.task, ` task ${event.task}`) + opt(event.text, ` "${event.text}"`);
      return `${event.action}${what} (${event.id}, from ${event.source}): ${event.detail}`;
    }
    case 'control_applied':
      return `${event.action} (${event.id}) ${event.result}: ${event.detail}`;
    case 'task_list':
      return `${plural((event.tasks ?? []).length, 'task')} in the task file`;
    case 'task_parked':
      return `task ${event.taskId} parked (${event.cause}): ${event.reason}`;
    case 'task_unparked':
      return `task ${event.taskId} unparked`;
    default:
      return undefined;
  }
}

const DESCRIBERS: readonly Describe[] = [
  describeRun,
  describeTurn,
  describeIteration,
  describeOperator,
  describeParallel,
];

function describe(event: ReadEvent): string {
  for (const describer of DESCRIBERS) {
    const line = describer(event);
    if (line !== undefined) return line;
  }
  const {
    v: _v,
    runId: _runId,
    at: _at,
    seq: _seq,
    worker: _worker,
    type: _type,
    ...rest
  } = event as ReadEvent & Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Newlines would break "one line per event"; they are shown as ⏎. */
export function formatLogLine(event: ReadEvent): string {
  const worker = event.worker ? ` [${event.worker}]` : '';
  return `${event.at} ${event.runId}#${event.seq}${worker} ${event.type}: ${describe(event).replace(/\r?\n/g, ' ⏎ ')}`;
}

/** The `<runId>#<seq>` of a log line. */
export function logLineKey(line: string): string | undefined {
  return /^\S+ (\S+#\d+) /.exec(line)?.[1];
}
