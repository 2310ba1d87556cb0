import { describe, expect, it } from 'vitest';
import { measure } from '../../src/bench/measure.js';
import type { RawRun } from '../../src/bench/run-once.js';
import { WORKLOADS } from '../../src/bench/workloads.js';
import type { JournalEvent, JournalEventBody } from '../../src/journal/events.js';
import type { RecordedRequest } from '../../src/scripted-model/index.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const TASK = { id: 't1', text: 'Add add(a, b) to lib/math.mjs, with a test', phase: 'Phase 1: math helpers', line: 5 };
const usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };

function event(atMs: number, body: JournalEventBody): JournalEvent {
  return { v: 1, runId: 'r', seq: 0, at: new Date(T0 + atMs).toISOString(), ...body } as JournalEvent;
}

function request(receivedMs: number, durationMs: number, user: string, history: unknown[] = []): RecordedRequest {
  const body = {
    model: 'm',
    messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: user }, ...history],
    tools: [{ name: 'bash' }],
  };
  return {
    seq: 0,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {},
    auth: { present: true, matched: true },
    body,
    bodyBytes: Buffer.byteLength(JSON.stringify(body)),
    receivedAt: T0 + receivedMs,
    finishedAt: T0 + receivedMs + durationMs,
    durationMs,
    completionIndex: 0,
  };
}

const turnEnd = (
  iteration: number,
  role: 'developer' | 'tester',
  durationMs: number,
  modelRequests: number,
): JournalEventBody => ({
  type: 'turn_end',
  iteration,
  role,
  status: 'success',
  terminalReason: 'completed',
  usage,
  modelRequests,
  toolCalls: 1,
  toolErrors: 0,
  durationMs,
  changedFiles: [],
});

describe('bench measure', () => {
  it('splits a task into model, tool, verification, pi and harness time and counts the bytes', () => {
    const assistant = { role: 'assistant', content: 'calling bash' };
    const raw: RawRun = {
      exitCode: 0,
      wallMs: 2000,
      repo: '/tmp/x',
      output: '',
      memory: [
        {
          at: T0,
          pssKiB: { harness: 1024, pi: 2048, guardian: 0 },
          rssKiB: { harness: 2048, pi: 4096, guardian: 0 },
          count: { harness: 1, pi: 1, guardian: 0 },
        },
        {
          at: T0 + 1000,
          pssKiB: { harness: 3072, pi: 2048, guardian: 0 },
          rssKiB: { harness: 4096, pi: 4096, guardian: 0 },
          count: { harness: 1, pi: 2, guardian: 0 },
        },
      ],
      events: [
        event(0, { type: 'iteration_start', iteration: 1, task: TASK, startCommit: 'abc', preDirty: [] }),
        event(10, { type: 'turn_start', iteration: 1, role: 'developer', step: 'developer', promptBytes: 100 }),
        event(510, turnEnd(1, 'developer', 480, 2)),
        event(510, { type: 'tool', iteration: 1, role: 'developer', name: 'bash', durationMs: 150, isError: false }),
        event(700, {
          type: 'verification',
          iteration: 1,
          after: 'developer',
          outcome: 'passed',
          exitCode: 0,
          durationMs: 180,
          command: 'node --test',
          outputTail: '',
        }),
        event(710, { type: 'turn_start', iteration: 1, role: 'tester', step: 'tester', promptBytes: 200 }),
        event(1010, turnEnd(1, 'tester', 290, 1)),
        event(1010, { type: 'verdict', iteration: 1, verdict: 'PASS', recheck: false, findings: '' }),
        event(1050, {
          type: 'commit',
          iteration: 1,
          commit: 'def',
          by: 'agent',
          files: [],
          message: 'm',
          tickedByHarness: false,
        }),
        event(1100, {
          type: 'iteration_end',
          iteration: 1,
          task: TASK,
          status: 'succeeded',
          reason: 'committed',
          durationMs: 1100,
          usage,
        }),
      ],
      requests: [
        request(100, 50, 'dev prompt'),
        request(300, 40, 'dev prompt', [assistant]),
        request(800, 30, 'tester prompt'),
      ],
    };
    const run = measure(raw);
    expect(run).toMatchObject({
      tasksCompleted: 1,
      iterations: 1,
      pathsOk: true,
      tasksPerHour: 1800,
      promptBytesPerTask: 300,
    });
    const [developer, , , tester] = run.roles;
    expect(developer).toMatchObject({
      role: 'developer',
      turns: 1,
      wallMs: 500,
      modelMs: 90,
      toolMs: 150,
      modelRequests: 2,
      toFirstRequestMs: 90,
    });
    // The transport saw 480 of the 500 ms window; of those, 90 model + 150 tools: 240 ms were pi's own.
    expect(developer).toMatchObject({ overheadMs: 260, piMs: 240, harnessMs: 20 });
    expect(tester).toMatchObject({ role: 'tester', turns: 1, wallMs: 300, modelMs: 30, promptBytes: 200 });
    const [task] = run.tasks;
    expect(task).toMatchObject({
      wallMs: 1100,
      modelMs: 120,
      toolMs: 150,
      verificationMs: 180,
      overheadMs: 650,
      path: 'developer › verify › tester PASS › commit',
    });
    expect(run.betweenTurnsMs).toBe(1100 - 800 - 180);
    expect(run.runFrameMs).toBe(900);
    expect(run.memory).toMatchObject({ peakPssMiB: 5, meanPssMiB: 4, peakRssMiB: 8, peakPiProcesses: 2 });
    expect(run.memory?.meanByKindMiB).toEqual({ harness: 2, pi: 2, guardian: 0 });
    expect(run.body.toolSchemaBytes).toBe(3 * Buffer.byteLength(JSON.stringify([{ name: 'bash' }])));
    expect(run.body.historyBytes).toBe(Buffer.byteLength(JSON.stringify(assistant)));
    // The second developer request repeats the first one's prefix: only its new message is uncached.
    const all = raw.requests.map((r) => r.bodyBytes);
    expect(run.body.uncachedBytes).toBeLessThan(all.reduce((a, b) => a + b, 0));
  });
});

describe('bench measure, a parallel run', () => {
  const CLAMP = { id: 'c', text: 'Add clamp(value, low, high) to lib/clamp.mjs, with a test', phase: 'P', line: 5 };
  const SUM = { id: 's', text: 'Add sum(values) to lib/sum.mjs, with a test', phase: 'P', line: 6 };
  // A worker's stamp, as a parallel run's journal envelope carries it.
  const by = (worker: string, at: number, body: JournalEventBody) =>
    Object.assign(event(at, body), { worker }) as JournalEvent;
  const merge = (worker: string, at: number, iteration: number, task: typeof TASK, outcome: string) =>
    ({ ...event(at, { type: 'warning', message: '' }), type: 'merge', worker, iteration, task, outcome }) as never;
  const asks = (task: typeof TASK) => `Implement the task.\n- Task: ${task.text}\n`;
  const tool = (iteration: number, durationMs: number): JournalEventBody => ({
    type: 'tool',
    iteration,
    role: 'developer',
    name: 'bash',
    durationMs,
    isError: false,
  });
  const passed = (iteration: number): JournalEventBody => ({
    type: 'verification',
    iteration,
    after: 'developer',
    outcome: 'passed',
    exitCode: 0,
    durationMs: 100,
    command: 'node --test',
    outputTail: '',
  });
  const end = (iteration: number, task: typeof TASK, durationMs: number): JournalEventBody => ({
    type: 'iteration_end',
    iteration,
    task,
    status: 'succeeded',
    reason: 'committed',
    durationMs,
    usage,
  });
  const turn = (iteration: number, role: 'developer' | 'tester'): JournalEventBody => ({
    type: 'turn_start',
    iteration,
    role,
    step: role,
    promptBytes: 100,
  });
  const commit = (iteration: number): JournalEventBody => ({
    type: 'commit',
    iteration,
    commit: 'abc',
    by: 'agent',
    files: [],
    message: 'm',
    tickedByHarness: false,
  });
  const verdict = (iteration: number): JournalEventBody => ({
    type: 'verdict',
    iteration,
    verdict: 'PASS',
    recheck: false,
    findings: '',
  });

  /** Two workers' iterations, their events interleaved and their turns open at the same time. */
  function interleaved(merges: JournalEvent[]): RawRun {
    const events: JournalEvent[] = [
      by('w1', 0, { type: 'iteration_start', iteration: 1, task: CLAMP, startCommit: 'a', preDirty: [] }),
      by('w2', 5, { type: 'iteration_start', iteration: 2, task: SUM, startCommit: 'a', preDirty: [] }),
      by('w1', 10, turn(1, 'developer')),
      by('w2', 20, turn(2, 'developer')),
      by('w2', 510, turnEnd(2, 'developer', 480, 2)),
      by('w1', 600, turnEnd(1, 'developer', 580, 2)),
      // Each worker's tool events follow its own turn's end, another worker's turn end between them.
      by('w2', 600, tool(2, 70)),
      by('w1', 600, tool(1, 150)),
      by('w2', 620, passed(2)),
      by('w2', 730, turn(2, 'tester')),
      by('w1', 740, passed(1)),
      by('w1', 850, turn(1, 'tester')),
      by('w2', 900, turnEnd(2, 'tester', 160, 1)),
      by('w2', 900, verdict(2)),
      by('w2', 950, commit(2)),
      by('w1', 990, turnEnd(1, 'tester', 130, 1)),
      by('w2', 1000, end(2, SUM, 995)),
      by('w1', 1000, verdict(1)),
      by('w1', 1050, commit(1)),
      by('w1', 1100, end(1, CLAMP, 1100)),
      ...merges,
    ];
    return {
      exitCode: 0,
      wallMs: 1500,
      repo: '/tmp/x',
      output: '',
      memory: [],
      workload: WORKLOADS.parallel,
      events,
      // Each worker's requests name its own task; they arrive inside both developers' windows.
      requests: [
        request(100, 50, asks(CLAMP)),
        request(120, 60, asks(SUM)),
        request(300, 40, asks(CLAMP)),
        request(320, 30, asks(SUM)),
        request(800, 20, asks(SUM)),
        request(900, 10, asks(CLAMP)),
      ],
    };
  }

  it('keeps each event, tool and request with its own iteration and task, in iteration order', () => {
    const run = measure(interleaved([merge('w2', 1150, 2, SUM, 'merged'), merge('w1', 1200, 1, CLAMP, 'merged')]));
    expect(run.workers).toBe(2);
    expect(run.pathsOk).toBe(true);
    const [clamp, sum] = run.tasks;
    expect(clamp).toMatchObject({
      iteration: 1,
      task: CLAMP.text,
      worker: 'w1',
      merge: 'merged',
      modelMs: 50 + 40 + 10,
      modelRequests: 3,
      toolMs: 150,
      verificationMs: 100,
      path: 'developer › verify › tester PASS › commit › merged',
    });
    expect(sum).toMatchObject({ iteration: 2, worker: 'w2', modelMs: 60 + 30 + 20, toolMs: 70, pathOk: true });
    expect(run.roles[0]).toMatchObject({ role: 'developer', turns: 2, modelMs: 180, toolMs: 220 });
    // 1100 ms inside iterations (0–1100, the other within it) of 1500: 400 outside; the work adds up
    // both iterations' 2095 ms and those 400.
    expect(run.runFrameMs).toBe(400);
    expect(run.total.wallMs).toBe(2095 + 400);
    expect(run.wallMs).toBe(1500);
  });

  it("is off the script when a worker's change was not merged", () => {
    const conflict = measure(
      interleaved([merge('w2', 1150, 2, SUM, 'merged'), merge('w1', 1200, 1, CLAMP, 'conflict')]),
    );
    expect(conflict.pathsOk).toBe(false);
    expect(conflict.tasks[0]).toMatchObject({ pathOk: false, path: expect.stringMatching(/› conflict$/) });
    const unmerged = measure(interleaved([merge('w2', 1150, 2, SUM, 'merged')]));
    expect(unmerged.pathsOk).toBe(false);
    expect(unmerged.tasks.map((task) => task.pathOk)).toEqual([false, true]);
  });
});
