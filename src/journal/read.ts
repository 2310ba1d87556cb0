/**
 * Reads a journal back. A crash can leave the last line half-written; such a line (or any line
 * that is not a journal event) is skipped and counted, never fatal.
 */
import { readFileSync } from 'node:fs';
import type { JournalEvent } from './events.js';

export interface ReadJournal {
  events: JournalEvent[];
  /** Lines that could not be read as events (normally none; one after a crash mid-write). */
  skipped: number;
}

function isEvent(value: unknown): value is JournalEvent {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.type === 'string' &&
    typeof record.runId === 'string' &&
    typeof record.seq === 'number' &&
    typeof record.at === 'string'
  );
}

export function parseJournal(text: string): ReadJournal {
  const events: JournalEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isEvent(value)) events.push(value);
      else skipped += 1;
    } catch {
      skipped += 1;
    }
  }
  return { events, skipped };
}

export function readJournalFile(file: string): ReadJournal {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], skipped: 0 };
    throw error;
  }
  return parseJournal(text);
}
