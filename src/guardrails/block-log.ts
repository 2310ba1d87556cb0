/**
 * How the guard inside pi tells the harness what it blocked: one `guardrail_block` record per
 * broken rule, appended as a JSON line to the file named by PI_HARNESS_GUARD_LOG. The harness reads
 * the new lines after each turn (from the byte offset it reached last time) and journals them, so
 * nothing in pi's RPC stream has to change.
 */
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { isObject } from '../util/json.js';
import { GUARDRAIL_RULES, type GuardrailRule } from './rules.js';

export interface GuardrailBlockRecord {
  type: 'guardrail_block';
  /** ISO time of the tool call. */
  at: string;
  rule: GuardrailRule;
  /** `blocked` in enforce mode; `warned` in warn mode (the call ran). */
  action: 'blocked' | 'warned';
  tool: string;
  toolCallId?: string;
  /** The bash command as the model sent it. */
  command?: string;
  /** The path a write or edit named. */
  path?: string;
  /** What the rule concerned: the program as the guard read it, or the path. */
  subject: string;
  reason: string;
  role?: string;
  iteration?: number | string;
  /** Set when the guard ran on fail-safe defaults (no usable context file). */
  contextProblem?: string;
}

export function appendBlockRecords(file: string | undefined, records: readonly GuardrailBlockRecord[]): void {
  if (!file || records.length === 0) return;
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
}

export interface BlockLogRead {
  records: GuardrailBlockRecord[];
  /** Where the next read starts: after the last complete line. */
  nextOffset: number;
  /** Lines that were not block records (kept out, counted). */
  malformed: number;
}

/** The complete lines appended since `offset`; a line still being written is left for next time. */
export function readBlockRecords(file: string, offset = 0): BlockLogRead {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { records: [], nextOffset: offset, malformed: 0 };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { records: [], nextOffset: offset, malformed: 0 };
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    const end = buffer.lastIndexOf(0x0a);
    if (end < 0) return { records: [], nextOffset: offset, malformed: 0 };
    const records: GuardrailBlockRecord[] = [];
    let malformed = 0;
    for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const record = parseRecord(line);
      if (record) records.push(record);
      else malformed++;
    }
    return { records, nextOffset: offset + end + 1, malformed };
  } finally {
    closeSync(fd);
  }
}

function parseRecord(line: string): GuardrailBlockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value) || value.type !== 'guardrail_block') return undefined;
  const { rule, action, tool, subject, reason, at } = value;
  if (!GUARDRAIL_RULES.includes(rule as GuardrailRule)) return undefined;
  if (action !== 'blocked' && action !== 'warned') return undefined;
  if (typeof tool !== 'string' || typeof subject !== 'string' || typeof reason !== 'string' || typeof at !== 'string')
    return undefined;
  return value as unknown as GuardrailBlockRecord;
}
