/**
 * `status` and `report` on `run --parallel 2` (real CLI, real pi, scripted model): while both
 * workers are held mid-turn, `status` shows each one's task, step and turn in flight; after the run,
 * `report` shows what each worker did.
 */
import { describe, expect, it } from 'vitest';
import type { ReportDocument } from '../../src/report/types.js';
import { Gate, runCommand, waitForStatus } from './control-helpers.js';
import { write } from './loop-helpers.js';
import { namedTasksRepo, parallelRepoMaker } from './parallel-helpers.js';

const setup = parallelRepoMaker();

describe('status and report of run --parallel', () => {
  it("shows each worker's task and turn while it runs, and each worker's work after", {
    timeout: 150_000,
  }, async () => {
    const gate = await Gate.make('both-held');
    const r = await namedTasksRepo(setup, {
      names: ['alpha', 'beta'],
      workers: 2,
      developer: (name) => [write(`${name}.txt`, `${name}\n`), gate.wait()],
    });
    const run = r.spawnCli('run');
    // Both developers are held at the gate: each worker's own turn is in flight at once.
    const doc = await waitForStatus(
      r,
      (d) => d.workers?.length === 2 && d.workers.every((w) => (w.turn?.toolCalls ?? 0) >= 2),
      60_000,
    );
    const workers = doc.workers!;
    expect(workers.map((w) => w.worker)).toEqual(['w1', 'w2']);
    expect(new Set(workers.map((w) => w.task))).toEqual(new Set(['Add alpha', 'Add beta']));
    for (const w of workers) {
      expect(w.step).toBe('developer turn');
      expect(w.turn).toMatchObject({ role: 'developer', step: 'developer', lastTool: 'bash' });
    }
    expect(doc.mergeQueue).toEqual({ merging: null, waiting: [] });
    const text = await runCommand(r, 'status');
    expect(text.stdout).toMatch(/^ {2}\[w1\] iteration \d: Add (alpha|beta) — developer turn · turn developer, \d+s/m);
    expect(text.stdout).toMatch(/^ {2}\[w2\] iteration \d: Add (alpha|beta) — developer turn · turn developer, \d+s/m);
    expect(text.stdout).toContain('  merge queue: empty');
    await gate.open();
    expect(await run.exited, run.output()).toBe(0);

    const report = await runCommand(r, 'report', '--json');
    const [last] = (JSON.parse(report.stdout) as ReportDocument).runs;
    expect(last?.workers).toEqual([
      { worker: 'w1', tasks: 1, iterations: 1, succeeded: 1, merged: 1, conflicts: 0, verifyFailed: 0 },
      { worker: 'w2', tasks: 1, iterations: 1, succeeded: 1, merged: 1, conflicts: 0, verifyFailed: 0 },
    ]);
    const plain = await runCommand(r, 'report');
    expect(plain.stdout).toContain('worker w1: 1 task(s), 1 iteration(s) (1 succeeded), 1 merged');
    expect(plain.stdout).toContain('worker w2: 1 task(s), 1 iteration(s) (1 succeeded), 1 merged');
    expect(plain.stdout).toMatch(/\[w1\] Tasks \/ Add (alpha|beta)/);
    expect(plain.stdout).toMatch(/\[w2\] Tasks \/ Add (alpha|beta)/);
  });
});
