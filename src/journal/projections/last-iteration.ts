/**
 * The last iteration's summary, as `lastIterationSummaryFile` (repo level) and
 * `runs/<runId>/last-iteration.json`: the same fields the loop prints at the end of an iteration.
 */
import path from 'node:path';
import type { IterationFacts } from '../fold/facts.js';
import type { Projection, ProjectionTargets } from './types.js';

export const RUN_LAST_ITERATION_FILE = 'last-iteration.json';

/** The summary of an iteration that has ended: the same fields the terminal shows at its end. */
export function lastIterationSummary(facts: IterationFacts) {
  const commit = facts.commit?.sha;
  return {
    runId: facts.runId,
    recorded: facts.status,
    iteration: facts.iteration,
    task: facts.task,
    status: facts.endStatus,
    reason: facts.reason,
    ...(facts.developer ? { developer: facts.developer } : {}),
    verification: facts.verification,
    verdict: facts.verdict,
    ...(commit ? { commit } : {}),
    changedFiles: facts.changedFiles,
    durationMs: facts.durationMs,
    usage: facts.usage,
    turns: facts.turns.length,
    modelRequests: facts.modelRequests,
    notes: facts.notes,
    largeFiles: facts.largeFiles,
    needsRescue: facts.needsRescue,
  };
}

export const lastIterationProjection: Projection<ProjectionTargets> = {
  name: 'last-iteration',
  initial: (targets) => targets,
  reduce(targets, event, fold) {
    const facts = event.type === 'iteration_end' ? fold.iteration(event.iteration) : undefined;
    if (!facts?.ended) return { state: targets, effects: [] };
    const json = lastIterationSummary(facts);
    return {
      state: targets,
      effects: [
        { kind: 'replace', file: targets.config.lastIterationSummaryFile, content: { json }, scope: 'latest' },
        {
          kind: 'replace',
          file: path.join(targets.runDir, RUN_LAST_ITERATION_FILE),
          content: { json },
          scope: 'run',
        },
      ],
    };
  },
};
