/**
 * Appends journal events synchronously: an event is on disk before the caller goes on to change
 * the state it describes, and a crash between two events loses neither. Every event is redacted
 * before it is written or handed to a listener, so no projection ever sees a secret.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { redactorFromEnv, type Redactor } from '../redact/index.js';
import { errorCode } from '../util/errors.js';
import { JOURNAL_SCHEMA_VERSION, type JournalEvent, type JournalEventBody } from './events.js';

export type JournalListener = (event: JournalEvent) => void;

export interface JournalOptions {
  /** Default: the secrets of the process environment (callers with a config pass `redactorFor`). */
  redactor?: Redactor;
}

/** What every view of one journal file shares: the sequence and the listeners. */
interface JournalShared {
  seq: number;
  listeners: JournalListener[];
}

export class Journal {
  readonly file: string;
  readonly runId: string;
  readonly redactor: Redactor;
  /** The parallel run's worker whose events this view stamps (undefined: the run itself). */
  readonly worker: string | undefined;
  private readonly shared: JournalShared;

  constructor(file: string, runId: string, options: JournalOptions = {}) {
    this.file = file;
    this.runId = runId;
    this.redactor = options.redactor ?? redactorFromEnv();
    this.worker = undefined;
    this.shared = { seq: 0, listeners: [] };
    mkdirSync(path.dirname(file), { recursive: true });
  }

  /**
   * The same journal as one worker of a parallel run appends to it: one file, one sequence, the
   * same listeners, each event stamped with the worker's id.
   */
  forWorker(worker: string): Journal {
    const view = Object.create(Journal.prototype) as Journal;
    Object.assign(view, { file: this.file, runId: this.runId, redactor: this.redactor, worker, shared: this.shared });
    return view;
  }

  onEvent(listener: JournalListener): void {
    this.shared.listeners.push(listener);
  }

  append(body: JournalEventBody): JournalEvent {
    const event = this.redactor.value({
      v: JOURNAL_SCHEMA_VERSION,
      runId: this.runId,
      at: new Date().toISOString(),
      seq: ++this.shared.seq,
      ...(this.worker !== undefined ? { worker: this.worker } : {}),
      ...body,
    } as JournalEvent);
    const line = `${JSON.stringify(event)}\n`;
    try {
      appendFileSync(this.file, line);
    } catch (error) {
      // Its directory was removed from under it: the record goes on in a new file there.
      if (errorCode(error) !== 'ENOENT') throw error;
      mkdirSync(path.dirname(this.file), { recursive: true });
      appendFileSync(this.file, line);
    }
    for (const listener of this.shared.listeners) {
      try {
        listener(event);
      } catch {
        // A display problem must never stop the run.
      }
    }
    return event;
  }
}
