/** Each projection's reducer over a synthetic journal: what it would write, without writing. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/journal/events.js';
import { failuresProjection } from '../../src/journal/projections/failures.js';
import { lastIterationProjection } from '../../src/journal/projections/last-iteration.js';
import { latestOutputsProjection } from '../../src/journal/projections/latest-outputs.js';
import { logProjection } from '../../src/journal/projections/log.js';
import { logLineKey } from '../../src/journal/render/log-lines.js';
import { runSummaryProjection } from '../../src/journal/projections/run-summary.js';
import { telemetryProjection } from '../../src/journal/projections/telemetry.js';
import { testerFeedbackProjection } from '../../src/journal/projections/tester-feedback.js';
import { tokenUsageProjection } from '../../src/journal/projections/token-usage.js';
import { erase, type Effect, type Projection, type ProjectionTargets } from '../../src/journal/projections/types.js';
import { eventList, projectionConfig, RUN_ID, sampleRun, TASK_1 } from '../helpers/journal-events.js';

const ROOT = '/repo';
const config = projectionConfig(ROOT);
const targets: ProjectionTargets = { config, runId: RUN_ID, runDir: path.join(config.piRuntimeDir, 'runs', RUN_ID) };

function effectsOf<S>(projection: Projection<S>, events: JournalEvent[], t = targets): Effect[] {
  const step = erase(projection).start(t);
  return events.flatMap((event) => step(event));
}

const json = (effect: Effect | undefined) =>
  (effect && 'json' in effect.content ? effect.content.json : undefined) as any;
const text = (effect: Effect | undefined) => (effect && 'text' in effect.content ? effect.content.text : undefined);
/** The final content of each replaced or created file, like the rebuild sink writes it. */
function finalFiles(effects: Effect[]): Map<string, Effect> {
  const files = new Map<string, Effect>();
  for (const effect of effects) if (effect.kind !== 'append') files.set(effect.file, effect);
  return files;
}
const appendsTo = (effects: Effect[], file: string) => effects.filter((e) => e.kind === 'append' && e.file === file);

describe('log projection', () => {
  it('writes one timestamped line per event to the repo log and the run log, keyed by run and seq', () => {
    const events = sampleRun();
    const effects = effectsOf(logProjection, events);
    const repoLines = appendsTo(effects, config.logFile).map(text);
    expect(repoLines).toHaveLength(events.length);
    expect(appendsTo(effects, path.join(targets.runDir, 'run.log'))).toHaveLength(events.length);
    expect(repoLines[0]).toBe(
      `2026-01-01T00:00:01.000Z ${RUN_ID}#1 run_start: pi-harness 0.1.0 run (pid 42, rpc transport) in /repo`,
    );
    expect(repoLines.find((line) => line!.includes('verification:'))).toContain(
      'after developer: failed (exit 1) in 0.4s — npm test',
    );
    expect(repoLines.every((line) => !line!.includes('\n'))).toBe(true);
    expect(logLineKey(repoLines[3]!)).toBe(`${RUN_ID}#4`);
  });

  it('gives events it does not know a line with their fields', () => {
    const { events, add } = eventList();
    add({ type: 'breaker', consecutiveFailures: 3, limit: 3 });
    expect(text(effectsOf(logProjection, events)[0])).toMatch(/#1 breaker: \{"consecutiveFailures":3,"limit":3\}$/);
  });
});

describe('telemetry projection', () => {
  const effects = effectsOf(telemetryProjection, sampleRun());
  const records = appendsTo(effects, config.telemetryJsonl).map(json);

  it('writes one record per finished iteration to JSONL (repo and run) and CSV', () => {
    expect(records).toHaveLength(2);
    expect(appendsTo(effects, path.join(targets.runDir, 'telemetry.jsonl'))).toHaveLength(2);
    expect(appendsTo(effects, config.telemetryCsv)).toHaveLength(2);
  });

  it('sums durations per role and verification, tokens, requests and tool calls from the iteration events', () => {
    expect(records[0]).toMatchObject({
      run_id: RUN_ID,
      iteration: 1,
      task_id: 'first-task',
      task_text: 'First task',
      task_phase: 'Phase one',
      status: 'succeeded',
      reason: 'committed',
      developer: 'success',
      verification: 'passed',
      verdict: 'PASS',
      commit: 'c'.repeat(40),
      duration_ms: 9000,
      developer_ms: 3000,
      developer_fix_ms: 2000,
      tester_ms: 3500,
      verification_ms: 1000,
      verification_runs: 3,
      turns: 5,
      model_requests: 6,
      tokens_input: 240,
      tokens_output: 47,
      cost_usd: 0.01,
      tool_calls: 4,
      tool_errors: 0,
      changed_files: 0,
      models: 'p/m',
    });
    expect(records[1]).toMatchObject({
      iteration: 2,
      status: 'stalled',
      reason: 'developer_stalled',
      developer: 'stalled',
      verification: 'not_run',
      verdict: 'not_run',
      commit: null,
      changed_files: 1,
      task_phase: null,
    });
  });

  it('reports a signal-stopped iteration as interrupted, as state records it', () => {
    const { events, add } = eventList();
    add({ type: 'iteration_start', iteration: 1, task: TASK_1, startCommit: null, preDirty: [] });
    add({
      type: 'iteration_end',
      iteration: 1,
      task: TASK_1,
      status: 'failed',
      reason: 'interrupted',
      durationMs: 5,
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 },
      recorded: 'interrupted',
    });
    expect(json(effectsOf(telemetryProjection, events)[0]).status).toBe('interrupted');
  });
});

describe('token usage projection', () => {
  const effects = effectsOf(tokenUsageProjection, sampleRun());
  const records = appendsTo(effects, config.tokenUsageEventsFile).map(json);
  const summary = json(finalFiles(effects).get(config.tokenUsageSummaryFile));

  it('writes one record per turn with run, iteration, role, phase, model and repo-relative tool paths', () => {
    expect(records).toHaveLength(6);
    expect(records[0]).toMatchObject({
      runId: RUN_ID,
      seq: 4,
      iteration: 1,
      role: 'developer',
      phase: 'Phase one',
      model: 'p/m',
      usage: { input: 100, output: 20 },
    });
    expect(records[0].tools).toEqual([{ name: 'write', path: 'src/a.ts' }, { name: 'bash' }]);
    // The turn_end did not name a model: the one its turn_start asked for (none here) stands.
    expect(records[1].model).toBeNull();
    expect(records[5]).toMatchObject({ iteration: 2, phase: null, role: 'developer', status: 'stalled' });
  });

  it('summarises totals and splits a turn evenly across its tool calls for tools, files and directories', () => {
    expect(summary.totals).toMatchObject({
      count: 6,
      input: 250,
      output: 47,
      total: 297,
      modelRequests: 7,
      cost: 0.01,
    });
    expect(summary.byRole.developer).toMatchObject({ count: 2, total: 130 });
    expect(summary.byRole.developerFix).toMatchObject({ count: 2, total: 108 });
    expect(summary.byPhase['Phase one'].total).toBe(287);
    expect(summary.byPhase['(no phase)'].total).toBe(10);
    expect(summary.byModel['p/m'].total).toBe(120);
    expect(summary.byModel['(pi default)'].total).toBe(177);
    expect(summary.byTool.write).toMatchObject({ count: 1, total: 60 });
    expect(summary.byTool.bash).toMatchObject({ count: 1, total: 60 });
    expect(summary.byTool.edit).toMatchObject({ count: 2, total: 108 });
    expect(summary.byTool['(none)']).toMatchObject({ count: 3, total: 69 });
    expect(summary.byFile).toEqual({
      'src/b.ts': expect.objectContaining({ total: 108 }),
      'src/a.ts': expect.objectContaining({ total: 60 }),
    });
    expect(summary.byDirectory.src).toMatchObject({ count: 3, total: 168 });
    expect(Object.keys(summary.byTool)[0]).toBe('edit'); // largest first
    expect(summary.attribution).toMatch(/split evenly/);
  });

  it('counts records already in the file (a rebuild over them) once', () => {
    const history = records.slice(0, 3);
    const again = effectsOf(tokenUsageProjection, sampleRun(), { ...targets, tokenHistory: history });
    expect(json(finalFiles(again).get(config.tokenUsageSummaryFile)).turns).toBe(6);
  });
});

describe('tester feedback projection', () => {
  const effects = effectsOf(testerFeedbackProjection, sampleRun());
  it('replaces the latest file and keeps every review in history by run, iteration and review number', () => {
    const files = finalFiles(effects);
    expect(text(files.get(config.testerFeedbackFile))).toBe(
      `# Tester feedback — iteration 1\n\nTask: First task\nVerdict: PASS\nReview: recheck (run ${RUN_ID})\n\nall good\n`,
    );
    expect(text(files.get(path.join(config.testerFeedbackHistoryDir, `${RUN_ID}-1-1.md`)))).toContain(
      'Verdict: FAIL\nReview: first review',
    );
    expect(files.get(path.join(config.testerFeedbackHistoryDir, `${RUN_ID}-1-2.md`))?.kind).toBe('create');
  });
});

describe('failure artifacts projection', () => {
  const effects = effectsOf(failuresProjection, sampleRun());
  const files = finalFiles(effects);
  const base = (name: string) => path.join(config.failureArtifactDir, name);

  it('writes the first failure of an iteration once, and a later one (the recheck path) under its own name', () => {
    expect([...files.keys()].map((file) => path.basename(file)).sort()).toEqual([
      `${RUN_ID}-iteration-1-2.json`,
      `${RUN_ID}-iteration-1-2.md`,
      `${RUN_ID}-iteration-1.json`,
      `${RUN_ID}-iteration-1.md`,
      `${RUN_ID}-iteration-2.json`,
      `${RUN_ID}-iteration-2.md`,
    ]);
    expect(effects.every((effect) => effect.kind === 'create')).toBe(true);
  });

  it('records command, exit code, changed files and the output tail capped at maxFailureArtifactLines', () => {
    const first = json(files.get(base(`${RUN_ID}-iteration-1.json`)));
    expect(first).toMatchObject({
      kind: 'verification',
      n: 1,
      command: 'npm test',
      exitCode: 1,
      outcome: 'failed',
      after: 'developer',
      changedFiles: ['src/a.ts'],
      outputTail: 'l3\nl4\nERR',
      omittedLines: 2,
      testerSummary: null,
    });
    const md = text(files.get(base(`${RUN_ID}-iteration-1.md`)));
    expect(md).toContain('- Command: `npm test`');
    expect(md).toContain('- Exit code: 1 (failed after developer)');
    expect(md).toContain('## Output (last 3 lines, 2 earlier lines omitted)\n\n```text\nl3\nl4\nERR\n```');
  });

  it('gives the tester failure its summary and the stalled iteration an artifact of its own', () => {
    expect(json(files.get(base(`${RUN_ID}-iteration-1-2.json`)))).toMatchObject({
      kind: 'tester',
      n: 2,
      verdict: 'FAIL',
      testerSummary: 'b is wrong',
      exitCode: 0,
      outputTail: 'ok',
    });
    expect(json(files.get(base(`${RUN_ID}-iteration-2.json`)))).toMatchObject({
      kind: 'iteration',
      n: 1,
      status: 'stalled',
      reason: 'developer_stalled',
      changedFiles: ['notes.txt'],
      command: null,
    });
  });
});

describe('last iteration projection', () => {
  it('writes the summary of the last finished iteration, repo level and in the run directory', () => {
    const files = finalFiles(effectsOf(lastIterationProjection, sampleRun()));
    const summary = json(files.get(config.lastIterationSummaryFile));
    expect(summary).toEqual(json(files.get(path.join(targets.runDir, 'last-iteration.json'))));
    expect(summary).toEqual({
      runId: RUN_ID,
      recorded: 'stalled',
      iteration: 2,
      task: expect.objectContaining({ id: 'second-task' }),
      status: 'stalled',
      reason: 'developer_stalled',
      developer: 'stalled',
      verification: 'not_run',
      verdict: 'not_run',
      changedFiles: ['notes.txt'],
      durationMs: 21000,
      usage: expect.objectContaining({ input: 10 }),
      turns: 1,
      modelRequests: 1,
      notes: ['work kept in refs/pi-harness/rescue/x/2'],
      largeFiles: [],
      needsRescue: true,
    });
  });
});

describe('latest outputs projection', () => {
  it('keeps the last prompt, the last agent output and the last verification output', () => {
    const files = finalFiles(effectsOf(latestOutputsProjection, sampleRun()));
    expect(text(files.get(config.lastPromptFile))).toBe('Do the second task');
    expect(text(files.get(config.lastAgentOutputFile))).toBe('');
    expect(text(files.get(config.lastVerificationOutputFile))).toBe('ok again\n');
  });
});

describe('run summary projection', () => {
  it('snapshots the run: finished, counts, iterations, commits, rescues and its token breakdown', () => {
    const files = finalFiles(effectsOf(runSummaryProjection, sampleRun()));
    const summary = json(files.get(path.join(targets.runDir, 'summary.json')));
    expect(summary).toMatchObject({
      runId: RUN_ID,
      command: 'run',
      finished: true,
      exitCode: 1,
      current: null,
      counts: { iterations: 2, succeeded: 1, stalled: 1 },
      usage: { input: 250, output: 47 },
      commits: [expect.objectContaining({ iteration: 1, by: 'agent' })],
      rescues: [expect.objectContaining({ iteration: 2, files: ['notes.txt'] })],
    });
    expect(summary.iterations.map((i: any) => [i.iteration, i.status, i.verification, i.verdict])).toEqual([
      [1, 'succeeded', 'passed', 'PASS'],
      [2, 'stalled', 'not_run', 'not_run'],
    ]);
    expect(summary.tokens.turns).toBe(6);
  });

  it('shows an unfinished run with the iteration in progress', () => {
    const events = sampleRun().slice(0, 4);
    const summary = json(
      finalFiles(effectsOf(runSummaryProjection, events)).get(path.join(targets.runDir, 'summary.json')),
    );
    expect(summary).toMatchObject({
      finished: false,
      current: { iteration: 1, step: 'after developer turn' },
      lastSeq: 4,
    });
  });
});
