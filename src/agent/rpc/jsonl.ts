/**
 * Strict JSONL framing for pi's RPC protocol.
 *
 * pi's docs (rpc.md "Framing") require: split records ONLY on LF, strip one optional CR before it,
 * and never treat U+2028 / U+2029 as record boundaries (Node's readline does, which would corrupt
 * any tool output containing them). We therefore split raw bytes on 0x0A and decode each complete
 * line as UTF-8 in one piece, so multi-byte characters split across chunks are reassembled for free.
 */

import { errorMessage } from '../../util/errors.js';

export type JsonlItem = { kind: 'record'; value: unknown } | { kind: 'parse_error'; line: string; message: string };

const LF = 0x0a;
const CR = 0x0d;

export interface JsonlDecoderOptions {
  /**
   * Lines longer than this (bytes, excluding the LF) are reported as a parse error instead of being
   * buffered without bound. pi can legitimately send large records (tool results, whole message
   * lists), so the default is generous.
   */
  maxLineBytes?: number;
}

export class JsonlDecoder {
  private readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while discarding the rest of an over-long line up to its LF. */
  private discarding = false;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });

  constructor(options: JsonlDecoderOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? 256 * 1024 * 1024;
  }

  /** Feed one chunk; returns every record completed by it, in order. */
  push(chunk: Buffer | Uint8Array): JsonlItem[] {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: JsonlItem[] = [];
    let start = 0;
    for (;;) {
      const lf = buf.indexOf(LF, start);
      if (lf === -1) {
        this.append(buf.subarray(start), out);
        return out;
      }
      this.append(buf.subarray(start, lf), out);
      this.finishLine(out);
      start = lf + 1;
    }
  }

  /** Call at EOF: a final line without LF is still a record (pi always ends with LF, others may not). */
  end(): JsonlItem[] {
    const out: JsonlItem[] = [];
    if (this.pendingBytes > 0 || this.discarding) this.finishLine(out);
    return out;
  }

  private append(part: Buffer, out: JsonlItem[]): void {
    if (part.length === 0 || this.discarding) return;
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      out.push({
        kind: 'parse_error',
        line: this.preview(),
        message: `line exceeds ${this.maxLineBytes} bytes; discarded`,
      });
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      return;
    }
    // Copy: the caller's chunk buffer may be reused by the stream.
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
  }

  private finishLine(out: JsonlItem[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    let bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    const line = this.utf8.decode(bytes);
    if (line.trim() === '') return; // blank lines carry nothing; not an error
    out.push(parseLine(line));
  }

  private preview(): string {
    const head = Buffer.concat(this.pending).subarray(0, 200);
    return this.utf8.decode(head);
  }
}

export function parseLine(line: string): JsonlItem {
  try {
    return { kind: 'record', value: JSON.parse(line) as unknown };
  } catch (error) {
    return {
      kind: 'parse_error',
      line: line.length > 500 ? `${line.slice(0, 500)}…` : line,
      message: errorMessage(error),
    };
  }
}

/**
 * One command as a JSONL record. JSON.stringify escapes no U+2028/U+2029 but also never emits a raw
 * LF inside a string, so the result is always exactly one line.
 */
export function encodeJsonl(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
