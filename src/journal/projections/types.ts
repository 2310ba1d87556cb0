/**
 * The shape every projection shares: a pure reducer over journal events that says what to write
 * (effects), and never writes itself. Each reads the event and the one fold of the run (already
 * updated with that event): no projection keeps its own count of what happened. The same reducers
 * run live (as journal listeners) and in a rebuild from a journal file, so both produce the same files.
 */
import type { Config } from '../../config/load.js';
import type { ReadEvent } from '../decode.js';
import { JournalFold } from '../fold/fold.js';
import type { TokenTurnRecord } from './token-records.js';

/** The configuration fields projections read. */
export type ProjectionConfig = Pick<
  Config,
  | 'repoRoot'
  | 'piRuntimeDir'
  | 'maxFailureArtifactLines'
  | 'logFile'
  | 'telemetryJsonl'
  | 'telemetryCsv'
  | 'lastPromptFile'
  | 'lastAgentOutputFile'
  | 'lastVerificationOutputFile'
  | 'lastIterationSummaryFile'
  | 'testerFeedbackFile'
  | 'testerFeedbackHistoryDir'
  | 'failureArtifactDir'
  | 'tokenUsageEventsFile'
  | 'tokenUsageSummaryFile'
>;

/** Where one run's projections go. */
export interface ProjectionTargets {
  config: ProjectionConfig;
  runId: string;
  /** `<piRuntimeDir>/runs/<runId>`. */
  runDir: string;
  /**
   * The records already in `tokenUsageEventsFile` when the projections start: the token summary
   * covers the file's whole history, not only this run.
   */
  tokenHistory?: readonly TokenTurnRecord[];
}

/** A line-oriented file's record key, so a rebuild appends only the records that are missing. */
export type KeyOf = (line: string) => string | undefined;

export type Content = { text: string } | { json: unknown };

export type Effect =
  /** One line (or one JSON record) added to an append-only file. */
  | { kind: 'append'; file: string; content: Content; key: string; keyOf: KeyOf; header?: string }
  /**
   * The whole file replaced. `latest`: a repo-level "most recent" view; `run`: a file of this run.
   * `soon`: a file rewritten on nearly every event may be written a moment later (only its last
   * content counts); the next replace without it, or the end of the process, writes it at once.
   */
  | { kind: 'replace'; file: string; content: Content; scope: 'latest' | 'run'; soon?: boolean }
  /** Written once and never replaced (history entries, failure artifacts). */
  | { kind: 'create'; file: string; content: Content };

export interface Projection<S> {
  readonly name: string;
  initial(targets: ProjectionTargets): S;
  /** `fold` has already applied `event`. */
  reduce(state: S, event: ReadEvent, fold: JournalFold): { state: S; effects: Effect[] };
}

/** Erases a projection's state type so projections of different states share one list. */
export interface AnyProjection {
  readonly name: string;
  /**
   * A step function over the run's events. With `fold`, the caller applies each event to it before
   * the step (one fold for every projection); without, the projection folds on its own.
   */
  start(targets: ProjectionTargets, fold?: JournalFold): (event: ReadEvent) => Effect[];
}

export function erase<S>(projection: Projection<S>): AnyProjection {
  return {
    name: projection.name,
    start(targets, shared) {
      let state = projection.initial(targets);
      const fold = shared ?? new JournalFold(targets.runId);
      return (event) => {
        if (!shared) fold.apply(event);
        const next = projection.reduce(state, event, fold);
        state = next.state;
        return next.effects;
      };
    },
  };
}
