/**
 * Token usage: one record per agent turn appended to `tokenUsageEventsFile` (all runs), and
 * `tokenUsageSummaryFile` recomputed over every record in that file. The summary therefore covers
 * the whole history the file holds (pruned run directories included); the per-run breakdown is in
 * `runs/<runId>/summary.json`.
 */
import { jsonlTokenKey, tokenRecordKey, tokenRecordOf } from './token-records.js';
import { addTokenRecord, emptyTokenTally, tokenSummaryOf, type TokenTally } from './token-summary.js';
import type { Effect, Projection, ProjectionTargets } from './types.js';

interface TokenUsageState {
  targets: ProjectionTargets;
  /**
   * The records already in the file (read once at start) plus this run's, summed as they come: a
   * long run keeps no record per turn. Added to in place; the state keeps only the latest.
   */
  tally: TokenTally;
  /** The keys of the records the file held at start. */
  keys: ReadonlySet<string>;
  /** The latest turn_end of this run taken into the tally (a run's events come in order). */
  lastSeq: number;
}

export const tokenUsageProjection: Projection<TokenUsageState> = {
  name: 'token-usage',
  initial: (targets) => {
    const history = targets.tokenHistory ?? [];
    const tally = emptyTokenTally();
    for (const record of history) addTokenRecord(tally, record);
    return { targets, tally, keys: new Set(history.map(tokenRecordKey)), lastSeq: 0 };
  },
  reduce(state, event, fold) {
    const record = event.type === 'turn_end' ? tokenRecordOf(event, fold, state.targets.config.repoRoot) : undefined;
    if (!record) return { state, effects: [] };
    const key = tokenRecordKey(record);
    // A rebuild over a file that already has this turn must not count it twice, nor an event seen twice.
    const known = state.keys.has(key) || (record.runId === state.targets.runId && record.seq <= state.lastSeq);
    if (!known) addTokenRecord(state.tally, record);
    const lastSeq = record.runId === state.targets.runId ? Math.max(state.lastSeq, record.seq) : state.lastSeq;
    const { config } = state.targets;
    const effects: Effect[] = [
      { kind: 'append', file: config.tokenUsageEventsFile, content: { json: record }, key, keyOf: jsonlTokenKey },
      {
        kind: 'replace',
        file: config.tokenUsageSummaryFile,
        content: { json: tokenSummaryOf(state.tally) },
        scope: 'latest',
        // Rewritten after every turn: the last of a moment's summaries is the one that counts.
        soon: true,
      },
    ];
    return { state: { ...state, lastSeq }, effects };
  },
};
