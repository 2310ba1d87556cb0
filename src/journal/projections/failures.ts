/**
 * Failure artifacts in `failureArtifactDir`: `<runId>-iteration-<n>.json` and `.md` for an
 * iteration's first failure, `<runId>-iteration-<n>-2.*` for the second (a recheck), and so on.
 * Each is written once and never replaced, so a later failure can never overwrite the first.
 *
 * A failure is a verification that failed or timed out, a tester verdict other than PASS, or an
 * iteration that ended failed/stalled/blocked/interrupted with neither (a stalled developer).
 */
import path from 'node:path';
import type { ReadEvent } from '../decode.js';
import { failureArtifact, failureMarkdown, type FailureInput } from './failure-artifact.js';
import type { Effect, Projection, ProjectionTargets } from './types.js';

interface FailureState {
  targets: ProjectionTargets;
  /** Artifacts written for the current iteration. */
  written: number;
}

export function failureArtifactBase(dir: string, runId: string, iteration: number, n: number): string {
  return path.join(dir, `${runId}-iteration-${iteration}${n > 1 ? `-${n}` : ''}`);
}

const ENDED_WELL = new Set(['succeeded', 'skipped']);

function failureOf(event: ReadEvent, n: number): FailureInput | undefined {
  switch (event.type) {
    case 'verification':
      if (event.outcome !== 'failed' && event.outcome !== 'timed_out') return undefined;
      return {
        kind: 'verification',
        n,
        at: event.at,
        summary: `verification after ${event.after ?? 'a step'} ${
          event.outcome === 'failed'
            ? `failed${typeof event.exitCode === 'number' ? ` (exit ${event.exitCode})` : ''}`
            : 'timed out'
        }`,
      };
    case 'verdict': {
      const verdict = event.verdict ?? 'UNKNOWN';
      if (verdict === 'PASS') return undefined;
      return {
        kind: 'tester',
        n,
        at: event.at,
        verdict,
        summary: `tester${event.recheck ? ' recheck' : ''} verdict ${verdict}`,
      };
    }
    case 'iteration_end': {
      const status = event.recorded ?? event.status ?? 'failed';
      // Only when nothing earlier explains it: the earlier artifacts already say what failed.
      if (ENDED_WELL.has(status) || n > 1) return undefined;
      return {
        kind: 'iteration',
        n,
        at: event.at,
        status,
        reason: event.reason,
        summary: `iteration ended ${status} (${event.reason ?? 'no reason recorded'})`,
        ...(event.changedFiles ? { changedFiles: event.changedFiles } : {}),
      };
    }
    default:
      return undefined;
  }
}

export const failuresProjection: Projection<FailureState> = {
  name: 'failures',
  initial: (targets) => ({ targets, written: 0 }),
  reduce(state, event, fold) {
    const written = event.type === 'iteration_start' ? 0 : state.written;
    const next = { ...state, written };
    // Only the iteration in flight (or just ended): a rescue of an earlier run's iteration is not a failure.
    const facts = 'iteration' in event ? fold.iteration(event.iteration) : undefined;
    if (!facts || fold.iterations.at(-1) !== facts) return { state: next, effects: [] };
    const input = failureOf(event, written + 1);
    if (!input) return { state: next, effects: [] };
    const artifact = failureArtifact(facts, input, state.targets.config.maxFailureArtifactLines);
    const base = failureArtifactBase(state.targets.config.failureArtifactDir, facts.runId, facts.iteration, input.n);
    const effects: Effect[] = [
      { kind: 'create', file: `${base}.json`, content: { json: artifact } },
      { kind: 'create', file: `${base}.md`, content: { text: failureMarkdown(artifact) } },
    ];
    return { state: { ...next, written: input.n }, effects };
  },
};
