/**
 * One human-readable line per journal event: `<at> <runId>#<seq> <type>: <what happened>`.
 * Events this file does not know (added later) still get a line, with their fields as JSON.
 */
import type { ReadEvent } from '../decode.js';
import { commitPhrase, plural, rescuePhrase, seconds, shortSha, tokensPhrase, verificationOutcome } from './phrases.js';
import { emptyUsage } from '../../vocabulary/turns.js';

const ms = (value: number | undefined) => seconds(value ?? 0);

type Describe = (event: ReadEvent) => string | undefined;

function describeRun(event: ReadEvent): string | undefined {
  switch (event.type) {
    case 'run_start':
      return `pi-harness ${event.version} ${event.command} (pid ${event.pid}, ${event.transport} transport) in ${event.repoRoot}`;
    case 'run_end':
      return `exit ${event.exitCode}: ${event.reason}; ${event.succeeded}/${event.iterations} iterations succeeded`;
    case 'lock_recovered':
      return `recovered a stale lock (${event.reason}); the old lock is at ${event.movedTo}`;
    case 'crash_recovery':
      return `iteration ${event.iteration} of run ${event.crashedRunId} ("${event.taskText}") did not finish; keeping its work`;
    case 'provider_wait':
      return `${event.role} waits ${ms(event.waitMs)} for the provider (attempt ${event.attempt}${event.status !== undefined ? `, status ${event.status}` : ''}): ${event.message}`;
    case 'warning':
      return `${event.iteration !== undefined ? `iteration ${event.iteration}: ` : ''}${event.message}`;
    case 'error':
      return `${event.iteration !== undefined ? `iteration ${event.iteration}: ` : ''}${event.message}`;
    default:
      return undefined;
  }
}

function describeTurn(event: ReadEvent): string | undefined {
  switch (event.type) {
    case 'turn_start':
      return `iteration ${event.iteration} ${event.role}${event.retry ? ` (retry: ${event.retry})` : ''}${event.model ? ` on ${event.model}` : ''}, prompt ${event.promptBytes} bytes`;
    case 'turn_usage':
      return `iteration ${event.iteration} ${event.role} model request ${event.modelRequests}: tokens ${tokensPhrase(event.usage ?? emptyUsage())}`;
    case 'tool_start':
      return `iteration ${event.iteration} ${event.role} ${event.name}${event.path ? ` ${event.path}` : ''}${event.command ? ` \`${event.command}\`` : ''}`;
    case 'heartbeat':
      return `iteration ${event.iteration} ${event.role} still working after ${ms(event.elapsedMs)}`;
    case 'soft_continue':
      return `iteration ${event.iteration} ${event.role} silent for ${event.silentSeconds}s; nudged to continue`;
    case 'turn_end':
      return (
        `iteration ${event.iteration} ${event.role} ${event.status} (${event.terminalReason}${event.detail ? `: ${event.detail}` : ''}) in ${ms(event.durationMs)}; ` +
        `${plural(event.modelRequests ?? 0, 'model request')}, ${plural(event.toolCalls ?? 0, 'tool call')}, ${plural(event.toolErrors ?? 0, 'tool error')}; ` +
        `tokens ${tokensPhrase(event.usage ?? emptyUsage())}; ${plural((event.changedFiles ?? []).length, 'changed file')}`
      );
    case 'tool':
      return `iteration ${event.iteration} ${event.role} ${event.name}${event.path ? ` ${event.path}` : ''}${event.command ? ` \`${event.command}\`` : ''} ${event.isError ? `ERROR${event.error ? `: ${event.error}` : ''}` : 'ok'} in ${ms(event.durationMs)}`;
    default:
      return undefined;
  }
}

function describeIteration(event: ReadEvent): string | undefined {
  switch (event.type) {
    case 'iteration_start':
      return `iteration ${event.iteration}: ${event.task?.phase ? `[${event.task.phase}] ` : ''}${event.task?.text ?? '(unknown task)'} (line ${event.task?.line ?? '?'})${event.startCommit ? ` from ${shortSha(event.startCommit)}` : ''}`;
    case 'verification_start':
      return `iteration ${event.iteration} after ${event.after}: ${event.command ? `running ${event.command}` : 'skipped (no testCommand)'}`;
    case 'verification':
      return `iteration ${event.iteration} after ${event.after}: ${verificationOutcome(event)} in ${ms(event.durationMs)}${event.command ? ` — ${event.command}` : ''}`;
    case 'verdict':
      return `iteration ${event.iteration} tester${event.recheck ? ' recheck' : ''}: ${event.verdict}`;
    case 'commit':
      return `iteration ${event.iteration} ${commitPhrase(event)}`;
    case 'rescue':
      return `iteration ${event.iteration} ${rescuePhrase(event)}`;
    case 'visual_start':
      return `iteration ${event.iteration} visual review${event.pendingFeedback ? ' (re-checking pending findings)' : ''}`;
    case 'iteration_end':
      return (
        `iteration ${event.iteration}: ${String(event.recorded ?? event.status).toUpperCase()} (${event.reason}) in ${ms(event.durationMs)}; ` +
        `tokens ${tokensPhrase(event.usage ?? emptyUsage())}${event.commit ? `; commit ${shortSha(event.commit)}` : ''}`
      );
    default:
      return undefined;
  }
}

const DESCRIBERS: readonly Describe[] = [describeRun, describeTurn, describeIteration];

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
    type: _type,
    ...rest
  } = event as ReadEvent & Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Newlines would break "one line per event"; they are shown as ⏎. */
export function formatLogLine(event: ReadEvent): string {
  return `${event.at} ${event.runId}#${event.seq} ${event.type}: ${describe(event).replace(/\r?\n/g, ' ⏎ ')}`;
}

/** The `<runId>#<seq>` of a log line. */
export function logLineKey(line: string): string | undefined {
  return /^\S+ (\S+#\d+) /.exec(line)?.[1];
}
