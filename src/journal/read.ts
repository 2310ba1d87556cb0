/**
 * Reads a journal back through the one decoder (decode.ts), whole or streamed line by line. A
 * crash can leave the last line half-written; such a line (or any line that is not an event) is
 * counted and skipped, never fatal. Event types this harness does not know are skipped silently.
 */
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { errorCode } from '../util/errors.js';
import { decodeLine, type ReadEvent } from './decode.js';

export interface ReadStats {
  /** Non-empty lines. */
  lines: number;
  /** Lines that could not be read as events (normally none; one after a crash mid-write). */
  malformed: number;
  /** The file could not be opened (missing or unreadable). */
  missing: boolean;
}

export interface ReadJournal {
  events: ReadEvent[];
  /** Lines that could not be read as events. */
  skipped: number;
}

/** The run id a journal at `<runs>/<runId>/journal.jsonl` belongs to, for events that lack one. */
function runIdOf(file: string): string {
  return path.basename(path.dirname(file));
}

/** A line decoder that numbers the events it reads and counts what it could not read. */
function lineReader(file: string, stats: ReadStats, onEvent: (event: ReadEvent) => void) {
  const runId = runIdOf(file);
  let position = 0;
  return (line: string): void => {
    // Blank lines are no events; the cheap test first, as journal lines can be long.
    if (line.length === 0 || (line.charCodeAt(0) <= 0x20 && line.trim() === '')) return;
    stats.lines += 1;
    const decoded = decodeLine(line, { runId, position: position + 1 });
    if (decoded.kind === 'malformed') stats.malformed += 1;
    if (decoded.kind !== 'event') return;
    position += 1;
    onEvent(decoded.event);
  };
}

export function readJournalFile(file: string): ReadJournal {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { events: [], skipped: 0 };
    throw error;
  }
  const events: ReadEvent[] = [];
  const stats: ReadStats = { lines: 0, malformed: 0, missing: false };
  const read = lineReader(file, stats, (event) => events.push(event));
  for (const line of text.split('\n')) read(line.endsWith('\r') ? line.slice(0, -1) : line);
  return { events, skipped: stats.malformed };
}

/**
 * Calls `onEvent` for every event of `file`, in file order, without loading the file whole: a long
 * run's journal can be tens of megabytes and `report` reads several.
 */
export async function streamJournal(file: string, onEvent: (event: ReadEvent) => void): Promise<ReadStats> {
  const stats: ReadStats = { lines: 0, malformed: 0, missing: false };
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
  const read = lineReader(file, stats, onEvent);
  for await (const line of lines) read(line);
  return stats;
}
