/**
 * Token usage: one record per agent turn appended to `tokenUsageEventsFile` (all runs), and
 * `tokenUsageSummaryFile` recomputed over every record in that file. The summary therefore covers
 * the whole history the file holds (pruned run directories included); the per-run breakdown is in
 * `runs/<runId>/summary.json`.
 */
import { jsonlTokenKey, tokenRecordKey, tokenRecordOf, type TokenTurnRecord } from './token-records.js';
import { summarizeTokens } from './token-summary.js';
import type { Effect, Projection, ProjectionTargets } from './types.js';

interface TokenUsageState {
  targets: ProjectionTargets;
  /** Records already in the file (read once at start) plus this run's. */
  history: readonly TokenTurnRecord[];
  keys: ReadonlySet<string>;
}

export const tokenUsageProjection: Projection<TokenUsageState> = {
  name: 'token-usage',
  initial: (targets) => {
    const history = targets.tokenHistory ?? [];
    return {
      targets,
      history,
      keys: new Set(history.map(tokenRecordKey)),
    };
  },
  reduce(state, event, fold) {
    const record = event.type === 'turn_end' ? tokenRecordOf(event, fold, state.targets.config.repoRoot) : undefined;
    if (!record) return { state, effects: [] };
    const key = tokenRecordKey(record);
    // A rebuild over a file that already has this turn must not count it twice.
    const known = state.keys.has(key);
    const history = known ? state.history : [...state.history, record];
    const keys = known ? state.keys : new Set([...state.keys, key]);
    const { config } = state.targets;
    const effects: Effect[] = [
      { kind: 'append', file: config.tokenUsageEventsFile, content: { json: record }, key, keyOf: jsonlTokenKey },
      {
        kind: 'replace',
        file: config.tokenUsageSummaryFile,
        content: { json: summarizeTokens(history) },
        scope: 'latest',
      },
    ];
    return { state: { ...state, history, keys }, effects };
  },
};
