import { describe, expect, it } from 'vitest';
import { JsonlDecoder, encodeJsonl, type JsonlItem } from '../../src/agent/rpc/jsonl.js';

function records(items: JsonlItem[]): unknown[] {
  return items.map((item) => {
    if (item.kind !== 'record') throw new Error(`unexpected ${item.kind}: ${item.message}`);
    return item.value;
  });
}

function feedBytewise(decoder: JsonlDecoder, bytes: Buffer): JsonlItem[] {
  const out: JsonlItem[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(...decoder.push(bytes.subarray(i, i + 1)));
  return out;
}

describe('JsonlDecoder', () => {
  it('splits records on LF only', () => {
    const d = new JsonlDecoder();
    expect(records(d.push(Buffer.from('{"a":1}\n{"b":2}\n')))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('keeps U+2028 and U+2029 inside strings (raw, not escaped)', () => {
    const d = new JsonlDecoder();
    const raw = `{"text":"one\u2028two\u2029three"}\n`;
    const out = records(d.push(Buffer.from(raw, 'utf8')));
    expect(out).toEqual([{ text: 'one\u2028two\u2029three' }]);
  });

  it('reassembles multi-byte characters split across chunks', () => {
    const d = new JsonlDecoder();
    const text = 'é€😀\u2028';
    const bytes = Buffer.from(`${JSON.stringify({ text })}\n`, 'utf8');
    const out = records(feedBytewise(d, bytes));
    expect(out).toEqual([{ text }]);
  });

  it('strips a CR before LF (CRLF input) but keeps CR elsewhere', () => {
    const d = new JsonlDecoder();
    const out = records(d.push(Buffer.from('{"a":"x\\r"}\r\n{"b":2}\r\n')));
    expect(out).toEqual([{ a: 'x\r' }, { b: 2 }]);
  });

  it('ignores empty and whitespace-only lines', () => {
    const d = new JsonlDecoder();
    expect(records(d.push(Buffer.from('\n\r\n   \n{"a":1}\n\n')))).toEqual([{ a: 1 }]);
  });

  it('buffers a partial line until its LF arrives', () => {
    const d = new JsonlDecoder();
    expect(d.push(Buffer.from('{"a":'))).toEqual([]);
    expect(d.push(Buffer.from('1}'))).toEqual([]);
    expect(records(d.push(Buffer.from('\n')))).toEqual([{ a: 1 }]);
  });

  it('emits a final unterminated line at end()', () => {
    const d = new JsonlDecoder();
    expect(d.push(Buffer.from('{"a":1}\n{"b":2}'))).toHaveLength(1);
    expect(records(d.end())).toEqual([{ b: 2 }]);
    expect(d.end()).toEqual([]);
  });

  it('reports malformed JSON as a typed parse error and keeps going', () => {
    const d = new JsonlDecoder();
    const out = d.push(Buffer.from('{"a":1}\nnot json\n{"b":2}\n'));
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual({ kind: 'record', value: { a: 1 } });
    expect(out[1]).toMatchObject({ kind: 'parse_error', line: 'not json' });
    expect((out[1] as { message: string }).message.length).toBeGreaterThan(0);
    expect(out[2]).toEqual({ kind: 'record', value: { b: 2 } });
  });

  it('handles a huge line delivered in many chunks', () => {
    const d = new JsonlDecoder();
    const big = `${'x'.repeat(5 * 1024 * 1024)}\u2028${'ü'.repeat(1000)}`;
    const bytes = Buffer.from(`${JSON.stringify({ big })}\n`, 'utf8');
    const out: JsonlItem[] = [];
    for (let i = 0; i < bytes.length; i += 65_521) out.push(...d.push(bytes.subarray(i, i + 65_521)));
    expect(records(out)).toEqual([{ big }]);
  });

  it('reports and discards a line over maxLineBytes, then recovers', () => {
    const d = new JsonlDecoder({ maxLineBytes: 100 });
    const out = [
      ...d.push(Buffer.from(`{"a":"${'y'.repeat(80)}`)),
      ...d.push(Buffer.from(`${'y'.repeat(80)}"}\n{"ok":true}\n`)),
    ];
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ kind: 'parse_error' });
    expect(out[1]).toEqual({ kind: 'record', value: { ok: true } });
  });

  it('does not alias the caller buffer (streams may reuse chunks)', () => {
    const d = new JsonlDecoder();
    const chunk = Buffer.from('{"a":"abc');
    d.push(chunk);
    chunk.fill(0x20);
    expect(records(d.push(Buffer.from('"}\n')))).toEqual([{ a: 'abc' }]);
  });

  it('accepts Uint8Array chunks', () => {
    const d = new JsonlDecoder();
    expect(records(d.push(new TextEncoder().encode('{"a":1}\n')))).toEqual([{ a: 1 }]);
  });
});

describe('encodeJsonl', () => {
  it('produces exactly one LF-terminated line that round-trips', () => {
    const value = { type: 'prompt', message: 'line1\nline2\u2028\u2029 "q" é' };
    const line = encodeJsonl(value);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1).includes('\n')).toBe(false);
    const d = new JsonlDecoder();
    expect(records(d.push(Buffer.from(line, 'utf8')))).toEqual([value]);
  });
});
