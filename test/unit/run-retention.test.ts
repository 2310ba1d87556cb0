/**
 * What a long run keeps must not grow with what it reads. The loop reads the task file every
 * iteration, and the run's fold and projections keep each iteration's task (its title and phase);
 * were those views into the text read, every iteration would keep a whole copy of the task file —
 * on a 500-task file over 500 iterations, some 20 MB. And a warm pi serves many turns: a finished
 * turn must not stay reachable from the pi process until pi exits.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { PiProcess } from '../../src/agent/rpc/process.js';
import { readBlobs, readTreeBlobs } from '../../src/integrity/read-git.js';
import type { TaskRef } from '../../src/journal/events.js';
import { KEPT_OUTPUT_CHARS } from '../../src/journal/fold/facts.js';
import { projectionTargets, ProjectionRunner } from '../../src/journal/runner.js';
import { FileSink } from '../../src/journal/sink.js';
import { Journal } from '../../src/journal/writer.js';
import { createRedactor } from '../../src/redact/index.js';
import { loadTaskFile } from '../../src/tasks/index.js';
import { makeRepo } from '../helpers/git-repo.js';
import { projectionConfig } from '../helpers/journal-events.js';
import { tempDir } from '../helpers/temp-dir.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const PHASES = 20;
const TASKS_PER_PHASE = 100;
const ITERATIONS = 12;
/** Lines of each test run's output: about 100 kB. */
const OUTPUT_LINES = 4000;

/** A task file of about 1 MB, the first `ticked` tasks done. */
function taskFile(ticked: number): string {
  const lines = ['# Tasks', ''];
  for (let phase = 0; phase < PHASES; phase++) {
    lines.push(`## Phase ${phase + 1}: a heading long enough to be kept as a view`, '');
    for (let n = 0; n < TASKS_PER_PHASE; n++) {
      const index = phase * TASKS_PER_PHASE + n;
      const filler = 'with a description long enough to matter '.repeat(10);
      lines.push(`- [${index < ticked ? 'x' : ' '}] Task ${index}: ${filler}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

const usage = { input: 10, output: 5, cacheRead: 0, cacheWrite: 0, cost: 0 };

/** One iteration's events as the loop journals them, for the first open task of the file. */
async function iteration(journal: Journal, file: string, number: number): Promise<void> {
  const tasks = (await loadTaskFile(file)).file.tasks;
  journal.append({
    type: 'task_list',
    tasks: tasks.map((task) => ({ ...task, parked: false })),
  });
  const open = tasks.find((task) => !task.done)!;
  const task: TaskRef = { id: open.id, text: open.text, phase: open.phase, line: open.line };
  journal.append({ type: 'iteration_start', iteration: number, task, startCommit: 'a'.repeat(40), preDirty: [] });
  journal.append({ type: 'turn_start', iteration: number, role: 'developer', step: 'developer', promptBytes: 10 });
  journal.append({
    type: 'verification',
    iteration: number,
    after: 'developer',
    outcome: 'passed',
    exitCode: 0,
    durationMs: 5,
    command: 'npm test',
    outputTail: '',
    output: `run ${number}\n${'ok - a test that passed\n'.repeat(OUTPUT_LINES)}`,
  });
  journal.append({
    type: 'turn_end',
    iteration: number,
    role: 'developer',
    status: 'success',
    terminalReason: 'completed',
    usage,
    modelRequests: 1,
    toolCalls: 0,
    toolErrors: 0,
    durationMs: 10,
    changedFiles: [],
    tools: [],
  });
  journal.append({
    type: 'iteration_end',
    iteration: number,
    task,
    status: 'succeeded',
    reason: 'committed',
    durationMs: 20,
    usage,
    commit: 'c'.repeat(40),
    recorded: 'succeeded',
    changedFiles: [],
    notes: [],
    largeFiles: [],
    needsRescue: false,
  });
}

/** What a turn does: watch pi's exit with its state in reach, then stop watching as it ends. */
function watchThenStop(proc: PiProcess, turn: number): WeakRef<object> {
  const turnState = { buffer: Buffer.alloc(64 * 1024), turn };
  const stop = proc.onExit(() => turnState.turn);
  stop();
  return new WeakRef(turnState);
}

describe('what a long run retains', () => {
  it('the fold and projections keep no copy of the task file, nor whole test outputs, per iteration', async () => {
    const root = await tempDir();
    const config = projectionConfig(root);
    const runId = '20261128T000000Z-aaaaaa';
    const redactor = createRedactor([]);
    const runner = new ProjectionRunner(projectionTargets(config, runId), new FileSink({ redactor, mode: 'live' }));
    const journal = new Journal(path.join(root, 'journal.jsonl'), runId, { redactor });
    journal.onEvent((event) => runner.apply(event));
    journal.append({ type: 'run_start', command: 'run', pid: 1, repoRoot: root, transport: 'rpc', version: '0' });
    const file = path.join(root, 'TODOS.md');
    const fileBytes = taskFile(0).length;
    await writeFile(file, taskFile(0));
    await iteration(journal, file, 1);
    const before = heapAfterGc();
    for (let n = 2; n <= ITERATIONS + 1; n++) {
      await writeFile(file, taskFile(n - 1));
      await iteration(journal, file, n);
    }
    const grown = heapAfterGc() - before;

    expect(runner.fold.iterations).toHaveLength(ITERATIONS + 1);
    expect(runner.fold.iterations.at(-1)?.task?.text).toMatch(/^Task 12: /);
    // Each iteration read a fresh ~1 MB file; keeping a copy each would grow the heap by ~12 MB.
    expect(fileBytes).toBeGreaterThan(800_000);
    expect(grown).toBeLessThan(2 * fileBytes);
    // Each ended iteration keeps only the tail of its test output once a later one has ended.
    const outputs = runner.fold.iterations.map((it) => it.lastVerification?.output.length ?? 0);
    expect(outputs.at(-1)).toBeGreaterThan(90_000);
    expect(Math.max(...outputs.slice(0, -1))).toBeLessThanOrEqual(KEPT_OUTPUT_CHARS);
  });

  it('a cached blob holds its own bytes, not a share of a 64 KiB buffer', async () => {
    const files = Object.fromEntries(Array.from({ length: 8 }, (_, n) => [`f${n}.txt`, `file ${n}\n`.repeat(20)]));
    const repo = await makeRepo(files);
    const ids = (await readTreeBlobs(repo, 'HEAD')).map((blob) => blob.blob);
    await readBlobs(repo, ids);
    const cached = await readBlobs(repo, ids);
    expect(cached.size).toBe(ids.length);
    for (const bytes of cached.values()) expect(bytes.buffer.byteLength).toBe(bytes.length);
  });

  it('a pi exit listener that was removed lets go of what it holds while pi lives on', async () => {
    const dir = await tempDir();
    const script = path.join(dir, 'pi.mjs');
    await writeFile(script, 'process.stdin.resume();');
    const proc = PiProcess.spawn({ piCli: script, args: [], cwd: dir, env: process.env });
    try {
      const refs = Array.from({ length: 5 }, (_, turn) => watchThenStop(proc, turn));
      const called: number[] = [];
      proc.onExit((exit) => called.push(exit.code ?? -1));
      heapAfterGc();
      await new Promise((resolve) => setImmediate(resolve));
      heapAfterGc();
      expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
      await proc.kill();
      await proc.waitForExit();
      expect(called).toHaveLength(1);
    } finally {
      await proc.kill();
    }
  });
});
