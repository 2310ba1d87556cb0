/**
 * The guard inside pi appends one record per refused tool call to its log; the harness reads the
 * new lines as each tool call ends (and after each turn) and journals them as `guardrail_block`, so
 * every view shows a block as it happens.
 */
import { readBlockRecords, type GuardrailBlockRecord } from '../../guardrails/block-log.js';
import type { JournalEventBody } from '../../journal/events.js';
import { ROLES, type Role } from '../../vocabulary/roles.js';

type BlockEvent = Extract<JournalEventBody, { type: 'guardrail_block' }>;

const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

export function blockEvent(record: GuardrailBlockRecord): BlockEvent {
  const iteration = typeof record.iteration === 'number' ? record.iteration : Number(record.iteration);
  return {
    type: 'guardrail_block',
    ...(Number.isInteger(iteration) ? { iteration } : {}),
    ...(isRole(record.role) ? { role: record.role } : {}),
    rule: record.rule,
    action: record.action,
    tool: record.tool,
    ...(record.command !== undefined ? { command: record.command } : {}),
    ...(record.path !== undefined ? { path: record.path } : {}),
    subject: record.subject,
    reason: record.reason,
    ...(record.contextProblem !== undefined ? { contextProblem: record.contextProblem } : {}),
  };
}

/** Reads the block log from where the last read stopped. */
export class BlockLogReader {
  private offset = 0;
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** The records appended since the last call (a line still being written waits for the next). */
  next(): GuardrailBlockRecord[] {
    const read = readBlockRecords(this.file, this.offset);
    this.offset = read.nextOffset;
    return read.records;
  }
}
