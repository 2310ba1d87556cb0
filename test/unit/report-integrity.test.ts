/** Integrity findings in `report`: per iteration, with what became of each, and a total per run. */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { cli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';
import { configFor, JournalWriter } from '../helpers/journal.js';

const RUN = '20261124T010000Z-bbbbbb';
const task = (text: string) => ({ id: text.toLowerCase(), text, phase: null, line: 3 });
const usage = { input: 10, output: 1, cacheRead: 0, cacheWrite: 0, cost: 0 };
const baseline = (iteration: number) => ({
  type: 'integrity_baseline',
  iteration,
  commit: 'a'.repeat(40),
  testFiles: 4,
  counts: { runner: 'node-test', run: 7, passed: 7, failed: 0, skipped: 1, todo: 0, unit: 'test', complete: true },
  source: 'run_start',
  verification: { outcome: 'passed', exitCode: 0, durationMs: 300, command: 'node --test' },
});
const finding = (iteration: number, check: number, mode: string, rule: string, path: string) => ({
  type: 'integrity_finding',
  iteration,
  check,
  mode,
  rule,
  path,
  detail: `${path}: something ${rule}`,
});
const check = (iteration: number, n: number, mode: string, findings: number) => ({
  type: 'integrity_check',
  iteration,
  check: n,
  mode,
  findings,
});
const end = (iteration: number, status: string, reason: string) => ({
  type: 'iteration_end',
  iteration,
  task: task(`Task ${iteration}`),
  status,
  reason,
  durationMs: 1000,
  usage,
});

async function journaled() {
  const repo = await makeRepo();
  const config = await configFor(repo);
  const j = new JournalWriter(config.piRuntimeDir, RUN);
  await j.add(
    { type: 'run_start', command: 'run', pid: 1, repoRoot: repo, transport: 'rpc', version: '0' },
    // enforce: the deletion was repaired, the skip marker stayed and failed the iteration
    { type: 'iteration_start', iteration: 1, task: task('Task 1'), startCommit: 'a', preDirty: [] },
    baseline(1),
    finding(1, 1, 'enforce', 'test-file-deleted', 'test/a.test.js'),
    finding(1, 1, 'enforce', 'skip-marker-added', 'test/b.test.js'),
    check(1, 1, 'enforce', 2),
    finding(1, 2, 'enforce', 'skip-marker-added', 'test/b.test.js'),
    check(1, 2, 'enforce', 1),
    end(1, 'failed', 'integrity'),
    // warn: committed, flagged
    { type: 'iteration_start', iteration: 2, task: task('Task 2'), startCommit: 'b', preDirty: [] },
    finding(2, 1, 'warn', 'ci-config-edited', '.github/workflows/ci.yml'),
    check(2, 1, 'warn', 1),
    { type: 'commit', iteration: 2, commit: 'c'.repeat(40), by: 'harness', files: [], message: 'Task 2' },
    { ...end(2, 'succeeded', 'committed'), commit: 'c'.repeat(40) },
    // clean
    { type: 'iteration_start', iteration: 3, task: task('Task 3'), startCommit: 'c', preDirty: [] },
    check(3, 1, 'enforce', 0),
    end(3, 'succeeded', 'committed'),
    { type: 'run_end', exitCode: 1, reason: 'all tasks done', iterations: 3, succeeded: 2 },
  );
  return { repo, config };
}

describe('integrity in the report', () => {
  it('--json: findings per iteration with their outcome, the baseline, and totals per run and overall', async () => {
    const { config } = await journaled();
    const report = await buildReport(config, { runs: 10, iterations: 20 });
    const [third, second, first] = report.iterations;
    expect(first!.integrity).toEqual({
      mode: 'enforce',
      checks: 2,
      baseline: { testFiles: 4, runner: 'node-test', tests: 7, skipped: 1, source: 'run_start' },
      findings: [
        expect.objectContaining({ rule: 'test-file-deleted', path: 'test/a.test.js', outcome: 'repaired' }),
        expect.objectContaining({ rule: 'skip-marker-added', path: 'test/b.test.js', outcome: 'failed' }),
      ],
    });
    expect(second!.integrity.findings).toEqual([
      expect.objectContaining({ rule: 'ci-config-edited', outcome: 'flagged' }),
    ]);
    expect(third!.integrity).toMatchObject({ mode: 'enforce', checks: 1, baseline: null, findings: [] });
    expect(report.runs[0]!.integrityFindings).toBe(3);
    expect(report.totals.integrityFindings).toBe(3);
  });

  it('text: one line per finding under its iteration, and the totals', async () => {
    const { repo } = await journaled();
    const result = await cli(['report'], { cwd: repo, env: { NO_COLOR: '1' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('3 integrity finding(s)');
    expect(result.stdout).toContain('integrity: 3 finding(s) in this run');
    expect(result.stdout).toContain('integrity: skip-marker-added test/b.test.js (failed the iteration)');
    expect(result.stdout).toContain('integrity: test-file-deleted test/a.test.js (repaired)');
    expect(result.stdout).toContain('integrity: ci-config-edited .github/workflows/ci.yml (flagged in the commit)');
  });
});
