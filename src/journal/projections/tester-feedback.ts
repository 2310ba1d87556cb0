/**
 * Tester feedback: the latest verdict's findings in `testerFeedbackFile`, and every verdict kept
 * in `testerFeedbackHistoryDir/<runId>-<iteration>-<n>.md` (n counts the reviews of the
 * iteration: 1 the first, 2 the recheck).
 */
import path from 'node:path';
import type { JournalEvent } from '../events.js';
import { foldIteration, type IterationFacts } from './iteration-facts.js';
import type { Projection, ProjectionTargets } from './types.js';

interface TesterFeedbackState {
  targets: ProjectionTargets;
  facts?: IterationFacts;
}

export function testerFeedbackText(facts: IterationFacts, event: Extract<JournalEvent, { type: 'verdict' }>): string {
  return (
    `# Tester feedback — iteration ${event.iteration}\n\n` +
    `Task: ${facts.task.text}\n` +
    `Verdict: ${event.verdict}\n` +
    `Review: ${event.recheck ? 'recheck' : 'first review'} (run ${event.runId})\n\n` +
    `${event.findings}\n`
  );
}

export function testerFeedbackHistoryFile(dir: string, runId: string, iteration: number, n: number): string {
  return path.join(dir, `${runId}-${iteration}-${n}.md`);
}

export const testerFeedbackProjection: Projection<TesterFeedbackState> = {
  name: 'tester-feedback',
  initial: (targets) => ({ targets }),
  reduce(state, event) {
    const facts = foldIteration(state.facts, event);
    const next = { ...state, ...(facts ? { facts } : {}) };
    if (event.type !== 'verdict' || !facts || facts.iteration !== event.iteration) return { state: next, effects: [] };
    const text = testerFeedbackText(facts, event);
    const { config } = state.targets;
    return {
      state: next,
      effects: [
        { kind: 'replace', file: config.testerFeedbackFile, content: { text }, scope: 'latest' },
        {
          kind: 'create',
          file: testerFeedbackHistoryFile(
            config.testerFeedbackHistoryDir,
            event.runId,
            event.iteration,
            facts.verdicts,
          ),
          content: { text },
        },
      ],
    };
  },
};
