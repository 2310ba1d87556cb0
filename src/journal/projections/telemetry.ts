/**
 * Telemetry: one record per finished iteration, appended to the repo-level JSONL and CSV (all
 * runs) and to `runs/<runId>/telemetry.jsonl`. An iteration that never ended (the harness was
 * killed) has no record; its run's journal and summary show it in progress.
 */
import path from 'node:path';
import { foldIteration, type IterationFacts } from './iteration-facts.js';
import { csvRow, csvRowKey, TELEMETRY_CSV_HEADER } from './telemetry-csv.js';
import { jsonlTelemetryKey, telemetryKey, telemetryRecord } from './telemetry-record.js';
import type { Effect, Projection, ProjectionTargets } from './types.js';

export const RUN_TELEMETRY_FILE = 'telemetry.jsonl';

interface TelemetryState {
  targets: ProjectionTargets;
  facts?: IterationFacts;
}

export const telemetryProjection: Projection<TelemetryState> = {
  name: 'telemetry',
  initial: (targets) => ({ targets }),
  reduce(state, event) {
    const facts = foldIteration(state.facts, event);
    const next = { ...state, ...(facts ? { facts } : {}) };
    if (event.type !== 'iteration_end' || !facts || facts.iteration !== event.iteration)
      return { state: next, effects: [] };
    const record = telemetryRecord(facts, event);
    const key = telemetryKey(record);
    const { config, runDir } = state.targets;
    const effects: Effect[] = [
      { kind: 'append', file: config.telemetryJsonl, content: { json: record }, key, keyOf: jsonlTelemetryKey },
      {
        kind: 'append',
        file: path.join(runDir, RUN_TELEMETRY_FILE),
        content: { json: record },
        key,
        keyOf: jsonlTelemetryKey,
      },
      {
        kind: 'append',
        file: config.telemetryCsv,
        content: { text: csvRow(record) },
        key,
        keyOf: csvRowKey,
        header: TELEMETRY_CSV_HEADER,
      },
    ];
    return { state: next, effects };
  },
};
