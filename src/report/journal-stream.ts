/**
 * Reads one run's journal line by line without loading it whole: a long run's journal can be tens
 * of megabytes and the report reads several. A line that is not a JSON object — the half-written
 * last line of a run that crashed, or damage — is counted and skipped, never fatal.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { LooseEvent } from './fields.js';

export interface JournalReadStats {
  lines: number;
  /** Lines that were not a JSON object with a string `type` (truncated or damaged). */
  malformed: number;
  /** The file could not be opened (missing or unreadable). */
  missing: boolean;
}

/** Calls `onEvent` for every well-formed event of `file`, in file order. */
export async function readJournal(file: string, onEvent: (event: LooseEvent) => void): Promise<JournalReadStats> {
  const stats: JournalReadStats = { lines: 0, malformed: 0, missing: false };
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  const opened = new Promise<boolean>((resolve) => {
    stream.once('open', () => resolve(true));
    stream.once('error', () => resolve(false));
  });
  if (!(await opened)) {
    stats.missing = true;
    return stats;
  }
  // crlfDelay keeps a CR LF pair one line break; the journal itself only writes LF.
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    stats.lines += 1;
    const event = parseLine(line);
    if (event) onEvent(event);
    else stats.malformed += 1;
  }
  return stats;
}

function parseLine(line: string): LooseEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return typeof (value as LooseEvent).type === 'string' ? (value as LooseEvent) : undefined;
}
