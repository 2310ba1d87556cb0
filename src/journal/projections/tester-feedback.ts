/**
 * Tester feedback: the latest verdict's findings in `testerFeedbackFile`, and every verdict kept
 * in `testerFeedbackHistoryDir/<runId>-<iteration>-<n>.md` (n counts the reviews of the
 * iteration: 1 the first, 2 the recheck).
 */
import path from 'node:path';
import type { ReadEventOf } from '../decode.js';
import type { IterationFacts } from '../fold/facts.js';
import type { Projection, ProjectionTargets } from './types.js';

export function testerFeedbackText(facts: IterationFacts, event: ReadEventOf<'verdict'>): string {
  return (
    `# Tester feedback — iteration ${facts.iteration}\n\n` +
    `Task: ${facts.task?.text ?? '(unknown task)'}\n` +
    `Verdict: ${event.verdict ?? 'UNKNOWN'}\n` +
    `Review: ${event.recheck ? 'recheck' : 'first review'} (run ${event.runId})\n\n` +
    `${event.findings ?? ''}\n`
  );
}

export function testerFeedbackHistoryFile(dir: string, runId: string, iteration: number, n: number): string {
  return path.join(dir, `${runId}-${iteration}-${n}.md`);
}

export const testerFeedbackProjection: Projection<ProjectionTargets> = {
  name: 'tester-feedback',
  initial: (targets) => targets,
  reduce(targets, event, fold) {
    const facts = event.type === 'verdict' ? fold.iteration(event.iteration) : undefined;
    if (event.type !== 'verdict' || !facts) return { state: targets, effects: [] };
    const text = testerFeedbackText(facts, event);
    const { config } = targets;
    return {
      state: targets,
      effects: [
        { kind: 'replace', file: config.testerFeedbackFile, content: { text }, scope: 'latest' },
        {
          kind: 'create',
          file: testerFeedbackHistoryFile(
            config.testerFeedbackHistoryDir,
            event.runId,
            facts.iteration,
            facts.verdicts.length,
          ),
          content: { text },
        },
      ],
    };
  },
};
