/**
 * Telemetry: one record per finished iteration, appended to the repo-level JSONL and CSV (all
 * runs) and to `runs/<runId>/telemetry.jsonl`. An iteration that never ended (the harness was
 * killed) has no record; its run's journal and summary show it in progress.
 */
import path from 'node:path';
import { csvRow, csvRowKey, TELEMETRY_CSV_HEADER } from './telemetry-csv.js';
import { jsonlTelemetryKey, telemetryKey, telemetryRecord } from './telemetry-record.js';
import type { Effect, Projection, ProjectionTargets } from './types.js';

export const RUN_TELEMETRY_FILE = 'telemetry.jsonl';

export const telemetryProjection: Projection<ProjectionTargets> = {
  name: 'telemetry',
  initial: (targets) => targets,
  reduce(targets, event, fold) {
    const facts = event.type === 'iteration_end' ? fold.iteration(event.iteration) : undefined;
    if (!facts?.ended) return { state: targets, effects: [] };
    const record = telemetryRecord(facts);
    const key = telemetryKey(record);
    const { config, runDir } = targets;
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
    return { state: targets, effects };
  },
};
