/** Synthetic journal events for projection tests: a builder that numbers and timestamps them. */
import type { JournalEvent, JournalEventBody, TaskRef } from '../../src/journal/events.js';
import type { ProjectionConfig } from '../../src/journal/projections/types.js';
import path from 'node:path';

export const RUN_ID = '20260101T000000Z-abcdef';

export function eventList(runId = RUN_ID, start = Date.parse('2026-01-01T00:00:00.000Z')) {
  const events: JournalEvent[] = [];
  return {
    events,
    add(body: JournalEventBody): JournalEvent {
      const seq = events.length + 1;
      const event = { v: 1, runId, at: new Date(start + seq * 1000).toISOString(), seq, ...body } as JournalEvent;
      events.push(event);
      return event;
    },
  };
}

export const usage = (input: number, output: number, cost = 0) => ({
  input,
  output,
  cacheRead: 0,
  cacheWrite: 0,
  cost,
});

export const TASK_1: TaskRef = { id: 'first-task', text: 'First task', phase: 'Phase one', line: 5 };
export const TASK_2: TaskRef = { id: 'second-task', text: 'Second task', phase: null, line: 9 };

export function projectionConfig(root: string): ProjectionConfig {
  const rt = path.join(root, '.pi-harness');
  return {
    repoRoot: root,
    piRuntimeDir: rt,
    maxFailureArtifactLines: 3,
    logFile: path.join(rt, 'harness.log'),
    telemetryJsonl: path.join(rt, 'telemetry.jsonl'),
    telemetryCsv: path.join(rt, 'telemetry.csv'),
    lastPromptFile: path.join(rt, 'last-prompt.md'),
    lastAgentOutputFile: path.join(rt, 'last-agent-output.md'),
    lastVerificationOutputFile: path.join(rt, 'last-verification-output.txt'),
    lastIterationSummaryFile: path.join(rt, 'last-iteration.json'),
    testerFeedbackFile: path.join(rt, 'tester-feedback.md'),
    testerFeedbackHistoryDir: path.join(rt, 'tester-feedback'),
    failureArtifactDir: path.join(rt, 'failures'),
    tokenUsageEventsFile: path.join(rt, 'token-usage.jsonl'),
    tokenUsageSummaryFile: path.join(rt, 'token-usage-summary.json'),
  };
}

/**
 * A run of two iterations: the first fails verification, is fixed, gets a tester FAIL, is fixed
 * again and passes the recheck; the second stalls.
 */
export function sampleRun(runId = RUN_ID, root = '/repo'): JournalEvent[] {
  const { events, add } = eventList(runId);
  add({ type: 'run_start', command: 'run', pid: 42, repoRoot: root, transport: 'rpc', version: '0.1.0' });
  add({ type: 'iteration_start', iteration: 1, task: TASK_1, startCommit: 'a'.repeat(40), preDirty: [] });
  add({
    type: 'turn_start',
    iteration: 1,
    role: 'developer',
    step: 'developer',
    promptBytes: 10,
    model: 'p/m',
    prompt: 'Do the first task',
  });
  add({
    type: 'turn_end',
    iteration: 1,
    role: 'developer',
    status: 'success',
    terminalReason: 'completed',
    usage: usage(100, 20, 0.01),
    modelRequests: 2,
    toolCalls: 2,
    toolErrors: 0,
    durationMs: 3000,
    changedFiles: ['src/a.ts'],
    model: 'p/m',
    finalText: 'Wrote src/a.ts',
    tools: [{ name: 'write', path: `${root}/src/a.ts` }, { name: 'bash' }],
  });
  add({
    type: 'tool',
    iteration: 1,
    role: 'developer',
    name: 'write',
    path: `${root}/src/a.ts`,
    durationMs: 5,
    isError: false,
  });
  add({
    type: 'tool',
    iteration: 1,
    role: 'developer',
    name: 'bash',
    durationMs: 50,
    isError: false,
    command: 'npm test',
  });
  add({
    type: 'verification',
    iteration: 1,
    after: 'developer',
    outcome: 'failed',
    exitCode: 1,
    durationMs: 400,
    command: 'npm test',
    outputTail: 'l3\nl4\nERR',
    output: 'l1\nl2\nl3\nl4\nERR\n',
  });
  add({
    type: 'turn_start',
    iteration: 1,
    role: 'developerFix',
    step: 'developerFix',
    promptBytes: 10,
    prompt: 'Fix it',
  });
  add({
    type: 'turn_end',
    iteration: 1,
    role: 'developerFix',
    status: 'success',
    terminalReason: 'completed',
    usage: usage(50, 10),
    modelRequests: 1,
    toolCalls: 1,
    toolErrors: 0,
    durationMs: 1000,
    changedFiles: ['src/a.ts', 'src/b.ts'],
    finalText: 'Fixed',
    tools: [{ name: 'edit', path: 'src/b.ts' }],
  });
  add({
    type: 'tool',
    iteration: 1,
    role: 'developerFix',
    name: 'edit',
    path: 'src/b.ts',
    durationMs: 5,
    isError: false,
  });
  add({
    type: 'verification',
    iteration: 1,
    after: 'fix',
    outcome: 'passed',
    exitCode: 0,
    durationMs: 300,
    command: 'npm test',
    outputTail: '',
    output: 'ok\n',
  });
  add({ type: 'turn_start', iteration: 1, role: 'tester', step: 'tester', promptBytes: 10, prompt: 'Review' });
  add({
    type: 'turn_end',
    iteration: 1,
    role: 'tester',
    status: 'success',
    terminalReason: 'completed',
    usage: usage(30, 5),
    modelRequests: 1,
    toolCalls: 0,
    toolErrors: 0,
    durationMs: 2000,
    changedFiles: ['src/a.ts', 'src/b.ts'],
    finalText: 'b is wrong\nVERDICT: FAIL',
    tools: [],
  });
  add({ type: 'verdict', iteration: 1, verdict: 'FAIL', recheck: false, findings: 'b is wrong' });
  add({
    type: 'turn_start',
    iteration: 1,
    role: 'developerFix',
    step: 'developerFix',
    promptBytes: 10,
    prompt: 'Fix findings',
  });
  add({
    type: 'turn_end',
    iteration: 1,
    role: 'developerFix',
    status: 'success',
    terminalReason: 'completed',
    usage: usage(40, 8),
    modelRequests: 1,
    toolCalls: 1,
    toolErrors: 0,
    durationMs: 1000,
    changedFiles: ['src/a.ts', 'src/b.ts'],
    finalText: 'Fixed b',
    tools: [{ name: 'edit', path: 'src/b.ts' }],
  });
  add({
    type: 'tool',
    iteration: 1,
    role: 'developerFix',
    name: 'edit',
    path: 'src/b.ts',
    durationMs: 5,
    isError: false,
  });
  add({
    type: 'verification',
    iteration: 1,
    after: 'fix',
    outcome: 'passed',
    exitCode: 0,
    durationMs: 300,
    command: 'npm test',
    outputTail: '',
    output: 'ok again\n',
  });
  add({ type: 'turn_start', iteration: 1, role: 'tester', step: 'tester', promptBytes: 10, prompt: 'Recheck' });
  add({
    type: 'turn_end',
    iteration: 1,
    role: 'tester',
    status: 'success',
    terminalReason: 'completed',
    usage: usage(20, 4),
    modelRequests: 1,
    toolCalls: 0,
    toolErrors: 0,
    durationMs: 1500,
    changedFiles: ['src/a.ts', 'src/b.ts'],
    finalText: 'VERDICT: PASS',
    tools: [],
  });
  add({ type: 'verdict', iteration: 1, verdict: 'PASS', recheck: true, findings: 'all good' });
  add({
    type: 'commit',
    iteration: 1,
    commit: 'c'.repeat(40),
    by: 'agent',
    files: ['TODOS.md', 'src/a.ts', 'src/b.ts'],
    message: 'First task',
    tickedByHarness: false,
  });
  add({
    type: 'iteration_end',
    iteration: 1,
    task: TASK_1,
    status: 'succeeded',
    reason: 'committed',
    durationMs: 9000,
    usage: usage(240, 47, 0.01),
    commit: 'c'.repeat(40),
    recorded: 'succeeded',
    changedFiles: [],
    notes: ['a note'],
    largeFiles: [],
    needsRescue: false,
  });
  add({ type: 'iteration_start', iteration: 2, task: TASK_2, startCommit: 'c'.repeat(40), preDirty: [] });
  add({
    type: 'turn_start',
    iteration: 2,
    role: 'developer',
    step: 'developer',
    promptBytes: 10,
    prompt: 'Do the second task',
  });
  add({
    type: 'turn_end',
    iteration: 2,
    role: 'developer',
    status: 'stalled',
    terminalReason: 'no_event_timeout',
    usage: usage(10, 0),
    modelRequests: 1,
    toolCalls: 0,
    toolErrors: 0,
    durationMs: 20000,
    changedFiles: ['notes.txt'],
    finalText: '',
    tools: [],
  });
  add({
    type: 'rescue',
    iteration: 2,
    ref: 'refs/pi-harness/rescue/x/2',
    commit: 'd'.repeat(40),
    patchFile: `${root}/.pi-harness/rescue/x.patch`,
    files: ['notes.txt'],
  });
  add({
    type: 'iteration_end',
    iteration: 2,
    task: TASK_2,
    status: 'stalled',
    reason: 'developer_stalled',
    durationMs: 21000,
    usage: usage(10, 0),
    recorded: 'stalled',
    changedFiles: ['notes.txt'],
    notes: ['work kept in refs/pi-harness/rescue/x/2'],
    largeFiles: [],
    needsRescue: true,
  });
  add({ type: 'run_end', exitCode: 1, reason: 'all tasks done', iterations: 2, succeeded: 1 });
  return events;
}
