/**
 * What the journals say about an iteration that never ended. The journal is written before the
 * state, so it knows at least as much: it tells of a commit made in the instant before the state
 * recorded it, and when the state file itself is unreadable (moved aside), the iteration in
 * progress is rebuilt from it — an `iteration_start` without its `iteration_end`.
 */
import { readJournalFile } from '../journal/read.js';
import type { ReadEvent } from '../journal/decode.js';
import { listRunJournals, type HarnessHome } from '../runtime/harness-home.js';
import type { InProgressIteration } from '../runtime/state.js';

/** The iteration's commit as the journal last left it: made, and not taken back by a veto. */
function commitIn(events: readonly ReadEvent[], iteration: number): string | undefined {
  let commit: string | undefined;
  for (const event of events) {
    if (!('iteration' in event) || event.iteration !== iteration) continue;
    if (event.type === 'commit' && event.commit) commit = event.commit;
    if (event.type === 'visual_review' && event.vetoed) commit = undefined;
  }
  return commit;
}

function eventsOf(home: HarnessHome, runId: string): ReadEvent[] {
  const run = listRunJournals(home).find((candidate) => candidate.runId === runId);
  return run ? readJournalFile(run.journal).events : [];
}

/** The commit the crashed iteration's journal records, when there is one. */
export function journaledCommit(home: HarnessHome, runId: string, iteration: number): string | undefined {
  return commitIn(eventsOf(home, runId), iteration);
}

/** The in-progress record an `iteration_start` gives (without the pre-dirty snapshot: see below). */
function recordFrom(start: Extract<ReadEvent, { type: 'iteration_start' }>, events: readonly ReadEvent[]) {
  if (start.iteration === undefined || !start.task?.id || !start.startCommit) return undefined;
  const commit = commitIn(events, start.iteration);
  const record: InProgressIteration = {
    runId: start.runId,
    iteration: start.iteration,
    taskId: start.task.id,
    taskText: start.task.text,
    startCommit: start.startCommit,
    startedAt: start.at,
    ...(start.startBranch !== undefined ? { startBranch: start.startBranch } : {}),
    ...(commit ? { commit, head: commit } : {}),
  };
  return { record, preDirty: start.preDirty ?? [] };
}

export interface JournalInProgress {
  record: InProgressIteration;
  /** Paths that were dirty when it began (allowDirty). */
  preDirty: string[];
}

/**
 * The iteration left unfinished by the newest run that started one (this run excepted): its last
 * `iteration_start` when no `iteration_end` follows and no later run recovered it. A run that
 * started none (one that died while recovering) is looked through to the run before it.
 */
export function unfinishedIteration(home: HarnessHome, currentRunId: string): JournalInProgress | undefined {
  const recovered = new Set<string>();
  for (const run of listRunJournals(home)) {
    if (run.runId === currentRunId) continue;
    const { events } = readJournalFile(run.journal);
    for (const event of events)
      if (event.type === 'crash_recovery') recovered.add(`${event.crashedRunId}#${event.iteration}`);
    const last = events.filter((event) => event.type === 'iteration_start').at(-1);
    if (!last) continue;
    const ended = events.some((event) => event.type === 'iteration_end' && event.iteration === last.iteration);
    if (ended || recovered.has(`${last.runId}#${last.iteration}`)) return undefined;
    return recordFrom(last, events);
  }
  return undefined;
}
