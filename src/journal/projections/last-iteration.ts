/**
 * The last iteration's summary, as `lastIterationSummaryFile` (repo level) and
 * `runs/<runId>/last-iteration.json`: the same fields the loop prints at the end of an iteration.
 */
import path from 'node:path';
import type { JournalEvent } from '../events.js';
import { foldIteration, type IterationFacts } from './iteration-facts.js';
import type { Projection, ProjectionTargets } from './types.js';

export const RUN_LAST_ITERATION_FILE = 'last-iteration.json';

interface LastIterationState {
  targets: ProjectionTargets;
  facts?: IterationFacts;
}

export function lastIterationSummary(facts: IterationFacts, end: Extract<JournalEvent, { type: 'iteration_end' }>) {
  const commit = end.commit ?? facts.commit;
  return {
    runId: end.runId,
    recorded: end.recorded ?? end.status,
    iteration: end.iteration,
    task: end.task,
    status: end.status,
    reason: end.reason,
    ...(facts.developer ? { developer: facts.developer } : {}),
    verification: facts.verification,
    verdict: facts.verdict,
    ...(commit ? { commit } : {}),
    changedFiles: end.changedFiles ?? facts.changedFiles,
    durationMs: end.durationMs,
    usage: end.usage,
    turns: facts.turns,
    modelRequests: facts.modelRequests,
    notes: end.notes ?? [],
    largeFiles: end.largeFiles ?? [],
    needsRescue: end.needsRescue ?? false,
  };
}

export const lastIterationProjection: Projection<LastIterationState> = {
  name: 'last-iteration',
  initial: (targets) => ({ targets }),
  reduce(state, event) {
    const facts = foldIteration(state.facts, event);
    const next = { ...state, ...(facts ? { facts } : {}) };
    if (event.type !== 'iteration_end' || !facts || facts.iteration !== event.iteration)
      return { state: next, effects: [] };
    const json = lastIterationSummary(facts, event);
    return {
      state: next,
      effects: [
        { kind: 'replace', file: state.targets.config.lastIterationSummaryFile, content: { json }, scope: 'latest' },
        {
          kind: 'replace',
          file: path.join(state.targets.runDir, RUN_LAST_ITERATION_FILE),
          content: { json },
          scope: 'run',
        },
      ],
    };
  },
};
