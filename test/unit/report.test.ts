/** The report's aggregation, from synthetic journals: runs, iterations, totals, hotspots, state, lock. */
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { readProcessStartTime } from '../../src/runtime/liveness.js';
import { cli } from '../helpers/cli.js';
import { gitSync, makeRepo } from '../helpers/git-repo.js';
import {
  configFor,
  JournalWriter,
  stalledIteration,
  succeededIteration,
  task,
  usage,
  writeJson,
} from '../helpers/journal.js';

const RUN_A = '20261124T010000Z-aaaaaa';
const RUN_B = '20261124T020000Z-bbbbbb';

async function twoRuns() {
  const repo = await makeRepo({ 'TODOS.md': '# Tasks\n\n## Phase one\n\n- [ ] Parked one\n' });
  const config = await configFor(repo);
  const a = new JournalWriter(config.piRuntimeDir, RUN_A);
  await a.add({ type: 'run_start', command: 'run', pid: 1, repoRoot: repo, transport: 'rpc', version: '0.1.0' });
  await a.add(...succeededIteration(1, 'First', 'c1'.repeat(20)));
  await a.add(...stalledIteration(2, 'Second'));
  await a.add({
    type: 'rescue',
    iteration: 2,
    ref: `refs/pi-harness/rescue/${RUN_A}/2`,
    commit: 'r2',
    patchFile: path.join(config.piRuntimeDir, 'rescue', `${RUN_A}-iteration-2.patch`),
    files: ['b.ts'],
  });
  await a.add({ type: 'run_end', exitCode: 1, reason: '1 failed iterations in a row', iterations: 2, succeeded: 1 });
  const b = new JournalWriter(config.piRuntimeDir, RUN_B, Date.parse('2026-11-24T02:00:00Z'));
  await b.add({ type: 'run_start', command: 'once', pid: 1, repoRoot: repo, transport: 'rpc', version: '0.1.0' });
  await b.add(...succeededIteration(3, 'Third', 'c3'.repeat(20)));
  await b.add({
    type: 'budget',
    kind: 'run_tokens',
    limit: 10,
    used: 20,
    action: 'stop_run',
    message: 'maxRunTokens 10 reached (20 used)',
  });
  await b.add({ type: 'run_end', exitCode: 0, reason: 'one iteration done', iterations: 1, succeeded: 1 });
  return { repo, config };
}

describe('report aggregation', () => {
  it('lists runs and iterations newest first with their outcomes, durations and tokens', async () => {
    const { config } = await twoRuns();
    const report = await buildReport(config, { runs: 10, iterations: 20 });
    expect(report.schemaVersion).toBe(1);
    expect(report.empty).toBe(false);
    expect(report.runs.map((run) => run.runId)).toEqual([RUN_B, RUN_A]);
    expect(report.runs[1]).toMatchObject({
      command: 'run',
      status: 'finished',
      exitCode: 1,
      iterations: 2,
      succeeded: 1,
      reason: '1 failed iterations in a row',
    });
    expect(report.runs[0]!.notes).toEqual(['budget: maxRunTokens 10 reached (20 used)']);
    expect(report.iterations.map((it) => it.iteration)).toEqual([3, 2, 1]);

    const first = report.iterations[2]!;
    expect(first).toMatchObject({
      status: 'succeeded',
      reason: 'committed',
      verification: 'passed',
      verdict: 'PASS',
      modelRequests: 3,
      toolCalls: 2,
    });
    expect(first.task).toEqual({ id: 'id-First', text: 'First', phase: 'Phase one' });
    expect(first.commit).toEqual({
      sha: 'c1'.repeat(20),
      by: 'agent',
      message: 'Do First',
      files: ['src/a.ts', 'TODOS.md'],
    });
    expect(first.durations).toEqual({ totalMs: 9000, verificationMs: 1500, byRole: { developer: 4000, tester: 2000 } });
    expect(first.usage).toEqual(usage(1500, 150, 0.03));
    expect(first.turns.map((turn) => turn.model)).toEqual(['local/coder', 'cloud/reviewer']);

    const second = report.iterations[1]!;
    expect(second).toMatchObject({
      status: 'stalled',
      reason: 'developer_stalled',
      terminalReason: 'no_event_timeout',
      verification: 'not_run',
      verdict: 'not_run',
      commit: null,
    });
    expect(second.rescue).toEqual({
      ref: `refs/pi-harness/rescue/${RUN_A}/2`,
      patchFile: `.pi-harness/rescue/${RUN_A}-iteration-2.patch`,
      files: ['b.ts'],
    });

    expect(report.totals).toMatchObject({
      iterations: 3,
      succeeded: 2,
      failed: 1,
      modelRequests: 8,
      usage: usage(4600, 300, 0.06),
    });
  });

  it('ranks token hotspots by role, model, tool and file', async () => {
    const { config } = await twoRuns();
    const { hotspots } = await buildReport(config, { runs: 10, iterations: 20 });
    expect(hotspots.byRole.map((h) => [h.key, h.count, h.tokens])).toEqual(
      [
        ['developer', 3, 3000],
        ['developerRetry', 1, 800],
        ['tester', 2, 1100],
      ].sort((a, b) => (b[2] as number) - (a[2] as number)),
    );
    expect(hotspots.byModel.map((h) => h.key)).toEqual(['local/coder', '(pi default)', 'cloud/reviewer']);
    // Each developer turn (1100 tokens, 2 tool calls) gives each call 550.
    expect(hotspots.byFile).toEqual([{ key: 'src/a.ts', count: 4, tokens: 2200, cost: 0.02, durationMs: 24 }]);
    // edit and read: 2 × 550 each; the stalled turn's bash call carries that turn's 800.
    expect(hotspots.byTool.map((h) => [h.key, h.tokens])).toEqual([
      ['edit', 1100],
      ['read', 1100],
      ['bash', 800],
    ]);
  });

  it('reads only the newest runs asked for, and older ones only to fill the iterations', async () => {
    const { config } = await twoRuns();
    const one = await buildReport(config, { runs: 1, iterations: 1 });
    expect(one.history).toMatchObject({ runsTotal: 2, runsShown: 1, iterationsShown: 1 });
    expect(one.iterations.map((it) => it.iteration)).toEqual([3]);
    const more = await buildReport(config, { runs: 1, iterations: 5 });
    expect(more.runs).toHaveLength(1);
    expect(more.iterations.map((it) => it.iteration)).toEqual([3, 2, 1]);
    expect(more.totals.iterations).toBe(1); // totals and hotspots cover the runs listed
  });

  it('shows parked tasks from state with their text, and a crashed iteration awaiting recovery', async () => {
    const { config } = await twoRuns();
    const { makeTaskId } = await import('../../src/tasks/index.js');
    const parkedId = makeTaskId('Parked one', 1);
    await writeJson(config.stateFile, {
      version: 1,
      tasks: {
        [parkedId]: {
          attempts: 3,
          failures: 3,
          lastStatus: 'failed',
          lastReason: 'tester_failed_twice',
          lastAt: '2026-11-24T03:00:00Z',
          parked: true,
          parkedAt: '2026-11-24T03:00:00Z',
        },
        'id-First': {
          attempts: 1,
          failures: 0,
          lastStatus: 'succeeded',
          lastAt: '2026-11-24T01:00:00Z',
          parked: false,
        },
        gone: {
          attempts: 2,
          failures: 2,
          lastStatus: 'stalled',
          lastAt: '2026-11-24T01:00:00Z',
          parked: true,
          parkedAt: '2026-11-24T01:00:00Z',
        },
      },
      consecutiveFailures: 0,
      totalIterations: 3,
      inProgress: {
        runId: 'dead-run',
        iteration: 4,
        taskId: 'x',
        taskText: 'Fourth',
        startCommit: 'aaa',
        startedAt: '2026-11-24T04:00:00Z',
      },
      updatedAt: '2026-11-24T04:00:00Z',
    });
    const report = await buildReport(config, { runs: 10, iterations: 20 });
    expect(report.parkedTasks).toEqual([
      {
        id: parkedId,
        text: 'Parked one',
        phase: 'Phase one',
        attempts: 3,
        failures: 3,
        lastStatus: 'failed',
        lastReason: 'tester_failed_twice',
        parkedAt: '2026-11-24T03:00:00Z',
      },
      expect.objectContaining({ id: 'gone', text: null, lastStatus: 'stalled' }),
    ]);
    expect(report.inProgress).toEqual({
      runId: 'dead-run',
      iteration: 4,
      taskText: 'Fourth',
      startedAt: '2026-11-24T04:00:00Z',
    });
  });

  it('a run whose lock is held by a live process is running; one nobody holds that never ended crashed', async () => {
    const { repo, config } = await twoRuns();
    const live = '20261124T030000Z-cccccc';
    const c = new JournalWriter(config.piRuntimeDir, live, Date.parse('2026-11-24T03:00:00Z'));
    await c.add({
      type: 'run_start',
      command: 'run',
      pid: process.pid,
      repoRoot: repo,
      transport: 'rpc',
      version: '0.1.0',
    });
    await c.add(...succeededIteration(4, 'Fourth', 'c4'.repeat(20)));
    await c.add({ type: 'iteration_start', iteration: 5, task: task('Fifth'), startCommit: 'x', preDirty: [] });
    await c.add({ type: 'turn_start', iteration: 5, role: 'developer', step: 'developer', promptBytes: 1 });
    const lock = {
      version: 1,
      runId: live,
      pid: process.pid,
      hostname: hostname(),
      startedAt: '2026-11-24T03:00:00Z',
      processStartTime: readProcessStartTime(process.pid),
      heartbeatAt: new Date().toISOString(),
      status: 'iteration 2',
      command: 'pi-harness run',
    };
    await writeJson(config.activeRunFile, lock);

    const running = await buildReport(config, { runs: 10, iterations: 20 });
    expect(running.runs[0]).toMatchObject({
      runId: live,
      status: 'running',
      exitCode: null,
      iterations: 2,
      succeeded: 1,
    });
    expect(running.runs[0]!.reason).toContain('iteration 2');
    expect(running.iterations[0]).toMatchObject({ iteration: 5, status: 'running', reason: null });
    expect(running.iterations[1]).toMatchObject({ iteration: 4, status: 'succeeded' });
    const text = await cli(['report'], { cwd: repo, env: {} });
    expect(text.stdout).toMatch(/running/);

    await writeJson(config.activeRunFile, { ...lock, pid: 2 ** 22 + 17 }); // no such process
    const crashed = await buildReport(config, { runs: 10, iterations: 20 });
    expect(crashed.runs[0]).toMatchObject({ status: 'crashed', exitCode: null });
    expect(crashed.iterations[0]).toMatchObject({ status: 'crashed', reason: null });
    expect(crashed.iterations[0]!.durations.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('gives a crash recovery rescue to the iteration of the earlier run it belongs to', async () => {
    const repo = await makeRepo();
    const config = await configFor(repo);
    const a = new JournalWriter(config.piRuntimeDir, RUN_A);
    await a.add(
      { type: 'run_start', command: 'run', pid: 1, repoRoot: repo, transport: 'rpc', version: '0' },
      { type: 'iteration_start', iteration: 7, task: task('Crashy'), startCommit: 'x', preDirty: [] },
    );
    const b = new JournalWriter(config.piRuntimeDir, RUN_B, Date.parse('2026-11-24T02:00:00Z'));
    await b.add({ type: 'run_start', command: 'run', pid: 1, repoRoot: repo, transport: 'rpc', version: '0' });
    await b.add({
      type: 'rescue',
      iteration: 7,
      ref: `refs/pi-harness/rescue/${RUN_B}/7`,
      commit: 'r',
      patchFile: 'p.patch',
      files: ['x'],
    });
    await b.add({ type: 'run_end', exitCode: 0, reason: 'all tasks done', iterations: 0, succeeded: 0 });
    const report = await buildReport(config, { runs: 10, iterations: 20 });
    expect(report.iterations).toHaveLength(1);
    expect(report.iterations[0]).toMatchObject({
      runId: RUN_A,
      iteration: 7,
      status: 'crashed',
      rescue: { ref: `refs/pi-harness/rescue/${RUN_B}/7` },
    });
  });

  it('lists rescue refs with their date and patch, failure artifacts and large-file warnings', async () => {
    const { repo, config } = await twoRuns();
    gitSync(repo, 'update-ref', `refs/pi-harness/rescue/${RUN_A}/2`, 'HEAD');
    await writeJson(path.join(config.piRuntimeDir, 'rescue', `${RUN_A}-iteration-2.patch`), 'diff');
    await writeJson(path.join(config.failureArtifactDir, `${RUN_A}-iteration-2.json`), {});
    await writeJson(path.join(config.failureArtifactDir, `${RUN_A}-iteration-2.md`), 'failure');
    await writeJson(path.join(config.failureArtifactDir, `${RUN_A}-iteration-2-2.md`), 'recheck failure');
    await writeJson(path.join(config.failureArtifactDir, 'notes.txt'), 'not an artifact');
    const c = new JournalWriter(config.piRuntimeDir, RUN_B);
    await c.add({ type: 'large_files', iteration: 3, files: [{ path: 'src/huge.ts', lines: 2400 }] });
    await writeJson(config.lastIterationSummaryFile, {
      runId: RUN_B,
      iteration: 3,
      largeFiles: [{ path: 'src/big.ts', lines: 800 }],
    });
    const report = await buildReport(config, { runs: 10, iterations: 20 });
    expect(report.rescueRefs.total).toBe(1);
    expect(report.rescueRefs.refs[0]).toMatchObject({
      ref: `refs/pi-harness/rescue/${RUN_A}/2`,
      patchFile: `.pi-harness/rescue/${RUN_A}-iteration-2.patch`,
    });
    expect(report.rescueRefs.refs[0]!.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(report.failureArtifacts).toMatchObject({ dir: '.pi-harness/failures', total: 4 });
    expect(report.iterations.find((it) => it.iteration === 2)!.failureArtifacts).toEqual([
      `.pi-harness/failures/${RUN_A}-iteration-2.json`,
      `.pi-harness/failures/${RUN_A}-iteration-2.md`,
      `.pi-harness/failures/${RUN_A}-iteration-2-2.md`,
    ]);
    expect(report.iterations.find((it) => it.iteration === 1)!.failureArtifacts).toEqual([]);
    expect(report.largeFiles).toEqual([
      { path: 'src/huge.ts', lines: 2400, runId: RUN_B, iteration: 3 },
      { path: 'src/big.ts', lines: 800, runId: RUN_B, iteration: 3 },
    ]);
  });

  it('reads what newer journals add: recorded status, notes and large files at iteration_end, provider waits, visual reviews', async () => {
    const repo = await makeRepo();
    const config = await configFor(repo);
    const j = new JournalWriter(config.piRuntimeDir, RUN_A);
    const end = succeededIteration(1, 'First', 'c1'.repeat(20)).at(-1)!;
    await j.add(
      { type: 'run_start', command: 'run', pid: 1, repoRoot: repo, transport: 'rpc', version: '0' },
      ...succeededIteration(1, 'First', 'c1'.repeat(20)).slice(0, -1),
      { type: 'provider_wait', role: 'developer', attempt: 1, status: 429, waitMs: 30_000, message: 'rate limited' },
      { type: 'provider_wait', role: 'developer', attempt: 2, status: 429, waitMs: 60_000, message: 'usage window' },
      {
        type: 'visual_review',
        iteration: 1,
        verdict: 'FAIL',
        fromModel: true,
        summary: 'The button overlaps the title.',
        findings: [],
        images: [],
        omittedImages: 0,
        vetoed: true,
        historyFile: 'h',
        feedbackFile: 'f',
        durationMs: 10,
      },
      {
        ...end,
        status: 'succeeded',
        recorded: 'failed',
        notes: ['visual review vetoed the iteration', 'large file: src/huge.ts has 900 lines'],
        largeFiles: [{ path: 'src/huge.ts', lines: 900 }],
      },
      ...stalledIteration(2, 'Second').slice(0, -1),
      { ...stalledIteration(2, 'Second').at(-1)!, status: 'failed', reason: 'interrupted', recorded: 'interrupted' },
      { type: 'run_end', exitCode: 130, reason: 'stopped by a signal', iterations: 2, succeeded: 0 },
    );
    const report = await buildReport(config, { runs: 10, iterations: 20 });
    expect(report.runs[0]!.providerWaits).toEqual({ count: 2, totalMs: 90_000, last: 'usage window' });
    const [second, first] = report.iterations;
    expect(first).toMatchObject({
      status: 'failed',
      visualReview: { verdict: 'FAIL', vetoed: true, summary: 'The button overlaps the title.' },
      largeFiles: [{ path: 'src/huge.ts', lines: 900 }],
    });
    expect(first!.notes).toContain('visual review vetoed the iteration');
    expect(second).toMatchObject({ status: 'interrupted', reason: 'interrupted' });
    expect(report.totals).toMatchObject({ succeeded: 0, failed: 1, byStatus: { failed: 1, interrupted: 1 } });
    const { stdout } = await cli(['report'], { cwd: repo, env: {} });
    expect(stdout).toContain('2 iteration(s): 1 failed, 1 interrupted');
    expect(stdout).toContain('provider waits: 2, 1m30s in all (last: usage window)');
    expect(stdout).toContain('visual review: FAIL (vetoed the iteration) — The button overlaps the title.');
    expect(stdout).toContain('large file: src/huge.ts (900 lines)');
    expect(stdout).not.toContain('note: large file:'); // the loop's note repeats the line above
  });

  it('the JSON document carries every section and nothing that is not JSON', async () => {
    const { repo } = await twoRuns();
    const result = await cli(['report', '--json', '--runs', '1', '--iterations', '2'], { cwd: repo, env: {} });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(Object.keys(doc).sort()).toEqual(
      [
        'empty',
        'failureArtifacts',
        'generatedAt',
        'history',
        'hotspots',
        'inProgress',
        'iterations',
        'largeFiles',
        'parkedTasks',
        'repoRoot',
        'rescueRefs',
        'runs',
        'runtimeDir',
        'schemaVersion',
        'totals',
        'warnings',
      ].sort(),
    );
    expect(doc.runs).toHaveLength(1);
    // The one run listed has one iteration; the second comes from the older run.
    expect(doc.iterations.map((it: { iteration: number }) => it.iteration)).toEqual([3, 2]);
  });
});
