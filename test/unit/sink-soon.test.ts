/**
 * A live sink lets a `soon` replace (the run summary, rewritten on nearly every event) wait a moment
 * and writes only its last content; a replace without `soon` is on disk at once and supersedes it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FileSink } from '../../src/journal/sink.js';
import { createRedactor } from '../../src/redact/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const redactor = createRedactor([{ name: 'MY_TOKEN', value: 'supersecretvalue123' }]);
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown;

describe('soon replaces in a live sink', () => {
  it('waits a moment, then writes the last content only, redacted', async () => {
    const file = path.join(await tempDir(), 'runs', 'summary.json');
    const sink = new FileSink({ redactor, mode: 'live' });
    for (let n = 1; n <= 5; n++)
      sink.apply({
        kind: 'replace',
        file,
        content: { json: { n, note: 'supersecretvalue123' } },
        scope: 'run',
        soon: true,
      });
    expect(existsSync(file)).toBe(false);
    await sleep(600);
    expect(read(file)).toEqual({ n: 5, note: '[redacted:MY_TOKEN]' });
  });

  it('writes a replace without soon at once, and a waiting one never overwrites it later', async () => {
    const file = path.join(await tempDir(), 'summary.json');
    const sink = new FileSink({ redactor, mode: 'live' });
    sink.apply({ kind: 'replace', file, content: { json: { n: 1 } }, scope: 'run', soon: true });
    sink.apply({ kind: 'replace', file, content: { json: { n: 2, finished: true } }, scope: 'run' });
    expect(read(file)).toEqual({ n: 2, finished: true });
    await sleep(600);
    expect(read(file)).toEqual({ n: 2, finished: true });
  });

  it('writes what waits when asked (as the process does at its end)', async () => {
    const file = path.join(await tempDir(), 'summary.json');
    const sink = new FileSink({ redactor, mode: 'live' });
    sink.apply({ kind: 'replace', file, content: { json: { n: 7 } }, scope: 'run', soon: true });
    sink.writeLate();
    expect(read(file)).toEqual({ n: 7 });
  });
});
