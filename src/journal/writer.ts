/**
 * Appends journal events synchronously: an event is on disk before the caller goes on to change
 * the state it describes, and a crash between two events loses neither. Every event is redacted
 * before it is written or handed to a listener, so no projection ever sees a secret.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { redactorFromEnv, type Redactor } from '../redact/index.js';
import { JOURNAL_SCHEMA_VERSION, type JournalEvent, type JournalEventBody } from './events.js';

export type JournalListener = (event: JournalEvent) => void;

export interface JournalOptions {
  /** Default: the secrets of the process environment (callers with a config pass `redactorFor`). */
  redactor?: Redactor;
}

export class Journal {
  readonly file: string;
  readonly runId: string;
  readonly redactor: Redactor;
  private seq = 0;
  private readonly listeners: JournalListener[] = [];

  constructor(file: string, runId: string, options: JournalOptions = {}) {
    this.file = file;
    this.runId = runId;
    this.redactor = options.redactor ?? redactorFromEnv();
    mkdirSync(path.dirname(file), { recursive: true });
  }

  onEvent(listener: JournalListener): void {
    this.listeners.push(listener);
  }

  append(body: JournalEventBody): JournalEvent {
    const event = this.redactor.value({
      v: JOURNAL_SCHEMA_VERSION,
      runId: this.runId,
      at: new Date().toISOString(),
      seq: ++this.seq,
      ...body,
    } as JournalEvent);
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A display problem must never stop the run.
      }
    }
    return event;
  }
}
