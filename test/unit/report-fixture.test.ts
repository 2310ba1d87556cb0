import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeHistory } from '../../src/bench/report-fixture.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Every file the fixture wrote, in a fixed order, with its own directory replaced by `<dir>`. */
async function written(dir: string): Promise<string> {
  const runs = (await readdir(path.join(dir, 'runs'))).sort();
  const parts = await Promise.all(runs.map((run) => readFile(path.join(dir, 'runs', run, 'journal.jsonl'), 'utf8')));
  parts.push(await readFile(path.join(dir, 'state.json'), 'utf8'));
  return parts.join('').replaceAll(dir, '<dir>');
}

describe('the report benchmark history', () => {
  it('is the same history every time, so benchmark runs stay comparable across versions', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'report-fixture-'));
    dirs.push(dir);
    const counts = await writeHistory(dir, { runs: 2, iterationsPerRun: 25 });
    const text = await written(dir);
    // The byte count includes rescue patch paths under the (temporary) runtime directory.
    expect(counts).toMatchObject({ iterations: 50, lines: 990 });
    // The digest of the history as first written; a change to the fixture's random draws moves it.
    expect(createHash('sha256').update(text).digest('hex')).toBe(
      'b0f4ea42c4bdf7232c7ce7a7e5b9730b964050b334540c51f4772ce454f9ef23',
    );
  });

  it('writes journals whose events count up and tell each iteration from start to end', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'report-fixture-'));
    dirs.push(dir);
    await writeHistory(dir, { runs: 1, iterationsPerRun: 8 });
    const [run] = await readdir(path.join(dir, 'runs'));
    const events = (await readFile(path.join(dir, 'runs', run!, 'journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; type: string });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]?.type).toBe('run_start');
    expect(events.at(-1)?.type).toBe('run_end');
    expect(events.filter((e) => e.type === 'iteration_start')).toHaveLength(8);
    expect(events.filter((e) => e.type === 'iteration_end')).toHaveLength(8);
  });
});
