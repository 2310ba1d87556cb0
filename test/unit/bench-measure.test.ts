import { describe, expect, it } from 'vitest';
import { measure } from '../../src/bench/measure.js';
import type { RawRun } from '../../src/bench/run-once.js';
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
