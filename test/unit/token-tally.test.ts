/**
 * The token summaries of a long run (the run summary's and the token-usage file's) are running
 * sums: what the projections keep must not grow with the turns, and the figures must be the ones a
 * pass over every turn's record gives.
 */
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { ReadEvent } from '../../src/journal/decode.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { runSummaryProjection } from '../../src/journal/projections/run-summary.js';
import { tokenRecordOf, type TokenTurnRecord } from '../../src/journal/projections/token-records.js';
import { summarizeTokens } from '../../src/journal/projections/token-summary.js';
import { tokenUsageProjection } from '../../src/journal/projections/token-usage.js';
import type { Projection, ProjectionTargets } from '../../src/journal/projections/types.js';
import { eventList, projectionConfig, RUN_ID, usage } from '../helpers/journal-events.js';

const ROOT = '/repo';

/** `iterations` iterations of two turns each (a developer reading and running, a tester). */
function longRun(iterations: number): ReadEvent[] {
  const list = eventList();
  list.add({ type: 'run_start', command: 'run', pid: 1, repoRoot: ROOT, transport: 'rpc', version: '0' });
  for (let n = 1; n <= iterations; n++) {
    const task = { id: `task-${n}`, text: `Task ${n}`, phase: n % 2 ? 'Phase one' : null, line: n };
    list.add({ type: 'iteration_start', iteration: n, task, startCommit: 'a'.repeat(40), preDirty: [] });
    list.add({
      type: 'turn_end',
      iteration: n,
      role: 'developer',
      status: 'success',
      terminalReason: 'completed',
      usage: { ...usage(1000 + n, 300 + (n % 7), 0.0013 * n), cacheRead: 17 * n, cacheWrite: 3 },
      modelRequests: 3,
      toolCalls: 3,
      toolErrors: 0,
      durationMs: 40,
      changedFiles: [],
      tools: [
        { name: 'read', path: `${ROOT}/src/parser.ts` },
        { name: 'edit', path: `${ROOT}/src/parser.ts` },
        { name: 'bash' },
      ],
    });
    list.add({
      type: 'turn_end',
      iteration: n,
      role: 'tester',
      status: 'success',
      terminalReason: 'completed',
      usage: usage(700, 90 + (n % 3), 0.0007),
      modelRequests: 1,
      toolCalls: 0,
      toolErrors: 0,
      durationMs: 20,
      changedFiles: [],
      tools: [],
    });
  }
  return list.events as ReadEvent[];
}

function targets(history: TokenTurnRecord[] = []): ProjectionTargets {
  return { config: projectionConfig(ROOT), runId: RUN_ID, runDir: '/repo/.pi-harness/runs/x', tokenHistory: history };
}

/** Folds `events` through one projection; returns its final state and the records of the turns. */
function play<S>(projection: Projection<S>, events: readonly ReadEvent[], history: TokenTurnRecord[] = []) {
  const fold = new JournalFold(RUN_ID);
  let state = projection.initial(targets(history));
  const records: TokenTurnRecord[] = [];
  let last: unknown;
  for (const event of events) {
    fold.apply(event);
    if (event.type === 'turn_end') records.push(tokenRecordOf(event, fold, ROOT)!);
    const next = projection.reduce(state, event, fold);
    state = next.state;
    for (const effect of next.effects)
      if (effect.kind === 'replace' && 'json' in effect.content) last = effect.content.json;
  }
  return { state, records, last };
}

describe('the token summaries of a long run', () => {
  it('token-usage: the summary is the one over every record, and the state does not grow with turns', () => {
    const short = play(tokenUsageProjection, longRun(10));
    const long = play(tokenUsageProjection, longRun(400));
    expect(long.last).toEqual(summarizeTokens(long.records));
    const summary = long.last as ReturnType<typeof summarizeTokens>;
    expect(summary.turns).toBe(800);
    expect(summary.totals.input).toBe(400 * 1000 + (400 * 401) / 2 + 400 * 700);
    expect(summary.byFile['src/parser.ts']?.count).toBe(800);
    // Each turn's record kept (as before) is some 300 bytes: 240 kB over 800 turns.
    expect(serialize(long.state).length - serialize(short.state).length).toBeLessThan(2000);
  });

  it('run-summary: the same for the run summary tokens', () => {
    const short = play(runSummaryProjection, longRun(10));
    const long = play(runSummaryProjection, longRun(400));
    expect(long.state.tokens).toEqual(summarizeTokens(long.records));
    const { tally: _short, ...shortRest } = short.state;
    const { tally: _long, ...longRest } = long.state;
    expect(serialize(long.state.tally).length - serialize(short.state.tally).length).toBeLessThan(2000);
    // Nothing else in the state holds per-turn data either (a few bytes more: larger numbers).
    const rest = (state: object) => serialize({ ...state, tokens: null }).length;
    expect(rest(longRest) - rest(shortRest)).toBeLessThan(16);
  });

  it('a turn already in the file, or the same turn_end seen twice, is counted once', () => {
    const events = longRun(3);
    const first = play(tokenUsageProjection, events);
    // A rebuild over the file that already has every record of the run.
    const rebuilt = play(tokenUsageProjection, events, first.records);
    expect(rebuilt.last).toEqual(first.last);
    // A live run whose listener is handed one turn_end twice.
    const twice = [...events.slice(0, 4), events[3]!, ...events.slice(4)];
    expect(twice[3]!.type).toBe('turn_end');
    expect(play(tokenUsageProjection, twice).last).toEqual(first.last);
  });
});
