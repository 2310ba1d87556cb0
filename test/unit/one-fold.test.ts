/**
 * Every view of the journal reads one fold, so they count alike. The case that used to differ: a
 * skipped verification (no testCommand) is not a verification run — not in `report`, not in the
 * telemetry CSV, not in the run summary.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/journal/rebuild.js';
import { TELEMETRY_COLUMNS } from '../../src/journal/projections/telemetry-record.js';
import { buildReport } from '../../src/report/build-report.js';
import { makeRepo } from '../helpers/git-repo.js';
import { configFor, JournalWriter, succeededIteration, usage } from '../helpers/journal.js';

const RUN = '20261124T010000Z-cccccc';

/** `succeededIteration` with its verification replaced by one of `outcome`, `runs` times. */
function iterationVerified(iteration: number, text: string, outcome: 'skipped' | 'passed', runs: number) {
  const events = succeededIteration(iteration, text, `${iteration}`.repeat(40));
  const at = events.findIndex((event) => event.type === 'verification');
  const verification = {
    type: 'verification',
    iteration,
    after: 'developer',
    outcome,
    exitCode: outcome === 'skipped' ? null : 0,
    durationMs: outcome === 'skipped' ? 0 : 1200,
    command: outcome === 'skipped' ? '' : 'npm test',
    outputTail: '',
  };
  events.splice(at, 1, ...Array.from({ length: runs }, () => verification));
  return events;
}

describe('one fold for every view', () => {
  it('a skipped verification counts as no verification run in report, the CSV and the run summary', async () => {
    const repo = await makeRepo();
    const config = await configFor(repo);
    const journal = new JournalWriter(config.piRuntimeDir, RUN);
    await journal.add(
      { type: 'run_start', command: 'run', pid: 1, repoRoot: repo, transport: 'rpc', version: '0' },
      ...iterationVerified(1, 'Skipped', 'skipped', 2),
      ...iterationVerified(2, 'Verified', 'passed', 2),
      { type: 'run_end', exitCode: 0, reason: 'all tasks done', iterations: 2, succeeded: 2 },
    );
    rebuildProjections(journal.file, config);

    const report = await buildReport(config, { runs: 10, iterations: 20 });
    const fromReport = [...report.iterations].reverse().map((it) => it.verificationRuns);

    const [header, ...rows] = (await readFile(config.telemetryCsv, 'utf8')).trim().split('\n');
    expect(header!.split(',')).toEqual([...TELEMETRY_COLUMNS]);
    const column = TELEMETRY_COLUMNS.indexOf('verification_runs');
    const fromCsv = rows.map((row) => Number(row.split(',')[column]));

    const summary = JSON.parse(await readFile(path.join(config.piRuntimeDir, 'runs', RUN, 'summary.json'), 'utf8'));
    const fromSummary = summary.iterations.map((it: { verificationRuns: number }) => it.verificationRuns);

    expect(fromReport).toEqual([0, 2]);
    expect(fromCsv).toEqual(fromReport);
    expect(fromSummary).toEqual(fromReport);
    // And the rest of what they share agrees too.
    expect(report.iterations.map((it) => it.verification).reverse()).toEqual(
      summary.iterations.map((it: { verification: string }) => it.verification),
    );
    expect(report.runs[0]!.usage).toEqual(summary.usage);
    expect(summary.usage).toEqual({ ...usage(3000, 300, 0.06) });
  });
});
