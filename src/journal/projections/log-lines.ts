/**
 * One human-readable line per journal event: `<at> <runId>#<seq> <type>: <what happened>`.
 * Events this file does not know (added later) still get a line, with their fields as JSON.
 */
import type { TokenUsage } from '../../vocabulary/turns.js';
import type { JournalEvent } from '../events.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const tokens = (usage: TokenUsage) =>
  `${usage.input} in / ${usage.output} out${usage.cacheRead || usage.cacheWrite ? ` / ${usage.cacheRead} cache read / ${usage.cacheWrite} cache write` : ''}${usage.cost > 0 ? `, $${usage.cost.toFixed(4)}` : ''}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const short = (commit: string) => commit.slice(0, 10);

function describe(event: JournalEvent): string {
  switch (event.type) {
    case 'run_start':
      return `pi-harness ${event.version} ${event.command} (pid ${event.pid}, ${event.transport} transport) in ${event.repoRoot}`;
    case 'run_end':
      return `exit ${event.exitCode}: ${event.reason}; ${event.succeeded}/${event.iterations} iterations succeeded`;
    case 'iteration_start':
      return `iteration ${event.iteration}: ${event.task.phase ? `[${event.task.phase}] ` : ''}${event.task.text} (line ${event.task.line})${event.startCommit ? ` from ${short(event.startCommit)}` : ''}`;
    case 'turn_start':
      return `iteration ${event.iteration} ${event.role}${event.retry ? ` (retry: ${event.retry})` : ''}${event.model ? ` on ${event.model}` : ''}, prompt ${event.promptBytes} bytes`;
    case 'turn_end':
      return (
        `iteration ${event.iteration} ${event.role} ${event.status} (${event.terminalReason}${event.detail ? `: ${event.detail}` : ''}) in ${seconds(event.durationMs)}; ` +
        `${plural(event.modelRequests, 'model request')}, ${plural(event.toolCalls, 'tool call')}, ${plural(event.toolErrors, 'tool error')}; ` +
        `tokens ${tokens(event.usage)}; ${plural(event.changedFiles.length, 'changed file')}`
      );
    case 'tool':
      return `iteration ${event.iteration} ${event.role} ${event.name}${event.path ? ` ${event.path}` : ''}${event.command ? ` \`${event.command}\`` : ''} ${event.isError ? `ERROR${event.error ? `: ${event.error}` : ''}` : 'ok'} in ${seconds(event.durationMs)}`;
    case 'verification':
      return `iteration ${event.iteration} after ${event.after}: ${event.outcome}${event.exitCode !== null ? ` (exit ${event.exitCode})` : ''} in ${seconds(event.durationMs)}${event.command ? ` — ${event.command}` : ''}`;
    case 'verdict':
      return `iteration ${event.iteration} tester${event.recheck ? ' recheck' : ''}: ${event.verdict}`;
    case 'commit':
      return `iteration ${event.iteration} ${short(event.commit)} by ${event.by}${event.tickedByHarness ? ' (tick by the harness)' : ''}: ${event.message} [${event.files.join(', ')}]`;
    case 'rescue':
      return `iteration ${event.iteration} work kept in ${event.ref} (${plural(event.files.length, 'file')}, patch ${event.patchFile})`;
    case 'iteration_end':
      return (
        `iteration ${event.iteration}: ${(event.recorded ?? event.status).toUpperCase()} (${event.reason}) in ${seconds(event.durationMs)}; ` +
        `tokens ${tokens(event.usage)}${event.commit ? `; commit ${short(event.commit)}` : ''}`
      );
    case 'error':
      return `${event.iteration !== undefined ? `iteration ${event.iteration}: ` : ''}${event.message}`;
    default: {
      const {
        v: _v,
        runId: _runId,
        at: _at,
        seq: _seq,
        type: _type,
        ...rest
      } = event as JournalEvent & Record<string, unknown>;
      return JSON.stringify(rest);
    }
  }
}

/** Newlines would break "one line per event"; they are shown as ⏎. */
export function formatLogLine(event: JournalEvent): string {
  return `${event.at} ${event.runId}#${event.seq} ${event.type}: ${describe(event).replace(/\r?\n/g, ' ⏎ ')}`;
}

/** The `<runId>#<seq>` of a log line. */
export function logLineKey(line: string): string | undefined {
  return /^\S+ (\S+#\d+) /.exec(line)?.[1];
}
