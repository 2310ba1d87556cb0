/**
 * CSV rows of the telemetry columns. Fields are quoted when they hold a comma or a quote, and
 * line breaks inside a field become spaces, so one record is always one physical line (tools
 * that read CSV line by line, `grep`, and the rebuild's record keys all rely on it).
 */
import { TELEMETRY_COLUMNS, type TelemetryRecord } from './telemetry-record.js';

export const TELEMETRY_CSV_HEADER = TELEMETRY_COLUMNS.join(',');

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value).replace(/\r\n|\r|\n/g, ' ');
  return /[",]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(record: TelemetryRecord): string {
  return TELEMETRY_COLUMNS.map((column) => csvField(record[column])).join(',');
}

/** `<run_id>#<iteration>` of a data row (run ids and iteration numbers are never quoted). */
export function csvRowKey(line: string): string | undefined {
  if (line === TELEMETRY_CSV_HEADER) return undefined;
  const [runId, iteration] = line.split(',', 2);
  return runId && iteration ? `${runId}#${iteration}` : undefined;
}
