/** Reading journals that are not clean: truncated last lines, damage, unknown and partial events. */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { streamJournal } from '../../src/journal/read.js';
import { cli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';
import { configFor, JournalWriter, succeededIteration } from '../helpers/journal.js';
import { tempDir } from '../helpers/temp-dir.js';

const RUN = '20261124T010000Z-aaaaaa';

describe('journal reading', () => {
  it('streams events in order, skips types it does not know and counts lines it cannot read', async () => {
    const dir = await tempDir();
    const file = `${dir}/journal.jsonl`;
    await writeFile(
      file,
      '{"type":"run_start"}\n\nnot json\n[1,2]\n{"no":"type"}\n{"type":"from_a_newer_harness"}\n' +
        '{"type":"run_end"}\r\n{"type":"error","trunc',
    );
    const seen: unknown[] = [];
    const stats = await streamJournal(file, (event) => seen.push(event.type));
    expect(seen).toEqual(['run_start', 'run_end']);
    expect(stats).toEqual({ lines: 7, malformed: 4, missing: false });
  });

  it('a missing journal is reported as missing, not thrown', async () => {
    const stats = await streamJournal('/nonexistent/journal.jsonl', () => undefined);
    expect(stats.missing).toBe(true);
  });

  it('a truncated last line after a crash leaves the rest of the run readable', async () => {
    const repo = await makeRepo();
    const config = await configFor(repo);
    const j = new JournalWriter(config.piRuntimeDir, RUN);
    await j.add(
      { type: 'run_start', command: 'run', pid: 1, repoRoot: repo, transport: 'rpc', version: '0' },
      ...succeededIteration(1, 'First', 'c1'.repeat(20)),
    );
    await j.add({
      type: 'iteration_start',
      iteration: 2,
      task: { id: 'x', text: 'Second', phase: null, line: 1 },
      startCommit: 'a',
      preDirty: [],
    });
    await j.raw(`{"v":1,"runId":"${RUN}","type":"turn_end","iteration":2,"role":"devel`);
    const report = await buildReport(config, { runs: 10, iterations: 20 });
    expect(report.runs[0]).toMatchObject({ status: 'crashed', iterations: 2, succeeded: 1, malformedLines: 1 });
    expect(report.iterations.map((it) => [it.iteration, it.status])).toEqual([
      [2, 'crashed'],
      [1, 'succeeded'],
    ]);
    expect(report.warnings.join('\n')).toContain('1 journal line(s) could not be read');
    const text = await cli(['report'], { cwd: repo, env: {} });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('no iteration_end');
  });

  it('ignores event types it does not know and tolerates missing fields', async () => {
    const repo = await makeRepo();
    const config = await configFor(repo);
    const j = new JournalWriter(config.piRuntimeDir, RUN);
    await j.add(
      { type: 'run_start' },
      { type: 'dashboard_opened', url: 'http://x' },
      { type: 'iteration_start', iteration: 1 },
      { type: 'turn_end', iteration: 1, role: 'developer', usage: { input: 'lots' } },
      { type: 'tool', iteration: 1 },
      { type: 'verdict', iteration: 1 },
      { type: 'commit', iteration: 1 },
      { type: 'telemetry_row', iteration: 1, columns: 12 },
      { type: 'iteration_end', iteration: 1, status: 'failed' },
      { type: 'error', message: 'disk full' },
      { type: 'run_end' },
    );
    const report = await buildReport(config, { runs: 10, iterations: 20 });
    expect(report.runs[0]).toMatchObject({
      status: 'finished',
      exitCode: null,
      reason: null,
      notes: ['error: disk full'],
    });
    expect(report.iterations[0]).toMatchObject({
      status: 'failed',
      reason: null,
      verdict: 'UNKNOWN',
      commit: null,
      task: { text: '(unknown task)' },
    });
    expect(report.iterations[0]!.usage.input).toBe(0);
    const text = await cli(['report'], { cwd: repo, env: {} });
    expect(text.code).toBe(0);
    const json = await cli(['report', '--json'], { cwd: repo, env: {} });
    expect(JSON.parse(json.stdout).iterations).toHaveLength(1);
  });

  it('a run directory without a journal (a start refused by the lock) is not a run', async () => {
    const repo = await makeRepo();
    const config = await configFor(repo);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(`${config.piRuntimeDir}/runs/20261124T050000Z-eeeeee`, { recursive: true });
    const report = await buildReport(config, { runs: 10, iterations: 20 });
    expect(report.empty).toBe(true);
  });
});
