/** Synthetic run journals for report tests: a few lines per iteration, in the harness's event shapes. */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/load.js';

export async function configFor(repo: string, env: NodeJS.ProcessEnv = {}): Promise<Config> {
  return (await loadConfig({ repoRoot: repo, cwd: repo, env })).config;
}

type Body = Record<string, unknown> & { type: string };

export class JournalWriter {
  readonly file: string;
  readonly runId: string;
  private seq = 0;
  private clock: number;

  constructor(runtimeDir: string, runId: string, start = Date.parse('2026-11-24T01:00:00Z')) {
    this.runId = runId;
    this.file = path.join(runtimeDir, 'runs', runId, 'journal.jsonl');
    this.clock = start;
  }

  /** Appends events, each `stepMs` after the previous one. */
  async add(...bodies: Body[]): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const lines = bodies.map((body) => {
      this.clock += 1000;
      return JSON.stringify({
        v: 1,
        runId: this.runId,
        at: new Date(this.clock).toISOString(),
        seq: ++this.seq,
        ...body,
      });
    });
    await appendFile(this.file, `${lines.join('\n')}\n`);
  }

  async raw(text: string): Promise<void> {
    await appendFile(this.file, text);
  }
}

export const usage = (input: number, output: number, cost = 0) => ({
  input,
  output,
  cacheRead: 0,
  cacheWrite: 0,
  cost,
});

export const task = (text: string, phase: string | null = 'Phase one', id = `id-${text.replace(/\W/g, '')}`) => ({
  id,
  text,
  phase,
  line: 3,
});

/** The events of one iteration that went developer → verify → tester PASS → commit. */
export function succeededIteration(iteration: number, text: string, sha: string): Body[] {
  return [
    { type: 'iteration_start', iteration, task: task(text), startCommit: 'aaa', preDirty: [] },
    { type: 'turn_start', iteration, role: 'developer', step: 'developer', promptBytes: 100, model: 'local/coder' },
    {
      type: 'turn_end',
      iteration,
      role: 'developer',
      status: 'success',
      terminalReason: 'completed',
      usage: usage(1000, 100, 0.01),
      modelRequests: 2,
      toolCalls: 2,
      toolErrors: 0,
      durationMs: 4000,
      changedFiles: ['a.ts'],
    },
    { type: 'tool', iteration, role: 'developer', name: 'read', path: 'src/a.ts', durationMs: 5, isError: false },
    { type: 'tool', iteration, role: 'developer', name: 'edit', path: 'src/a.ts', durationMs: 7, isError: false },
    {
      type: 'verification',
      iteration,
      after: 'developer',
      outcome: 'passed',
      exitCode: 0,
      durationMs: 1500,
      command: 'npm test',
      outputTail: '',
    },
    { type: 'turn_start', iteration, role: 'tester', step: 'tester', promptBytes: 100, model: 'cloud/reviewer' },
    {
      type: 'turn_end',
      iteration,
      role: 'tester',
      status: 'success',
      terminalReason: 'completed',
      usage: usage(500, 50, 0.02),
      modelRequests: 1,
      toolCalls: 0,
      toolErrors: 0,
      durationMs: 2000,
      changedFiles: [],
    },
    { type: 'verdict', iteration, verdict: 'PASS', recheck: false, findings: '' },
    {
      type: 'commit',
      iteration,
      commit: sha,
      by: 'agent',
      files: ['src/a.ts', 'TODOS.md'],
      message: `Do ${text}`,
      tickedByHarness: false,
    },
    {
      type: 'iteration_end',
      iteration,
      task: task(text),
      status: 'succeeded',
      reason: 'committed',
      durationMs: 9000,
      usage: usage(1500, 150, 0.03),
      commit: sha,
    },
  ];
}

/** An iteration whose developer stalled twice. */
export function stalledIteration(iteration: number, text: string): Body[] {
  const stall = {
    type: 'turn_end',
    iteration,
    role: 'developer',
    status: 'stalled',
    terminalReason: 'no_event_timeout',
    detail: 'no event for 900s',
    usage: usage(800, 0),
    modelRequests: 1,
    toolCalls: 1,
    toolErrors: 1,
    durationMs: 900_000,
    changedFiles: [],
  };
  return [
    { type: 'iteration_start', iteration, task: task(text), startCommit: 'aaa', preDirty: [] },
    { type: 'turn_start', iteration, role: 'developer', step: 'developer', promptBytes: 100 },
    stall,
    { type: 'tool', iteration, role: 'developer', name: 'bash', durationMs: 899_000, isError: true, error: 'killed' },
    {
      type: 'turn_start',
      iteration,
      role: 'developerRetry',
      step: 'developerRetry',
      retry: 'stalled',
      promptBytes: 100,
    },
    { ...stall, role: 'developerRetry', toolCalls: 0, toolErrors: 0 },
    {
      type: 'iteration_end',
      iteration,
      task: task(text),
      status: 'stalled',
      reason: 'developer_stalled',
      durationMs: 1_801_000,
      usage: usage(1600, 0),
    },
  ];
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}
