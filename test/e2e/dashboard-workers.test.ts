/**
 * The dashboard in Debian's chromium on a parallel run's journal: one row per worker with its task,
 * its step and its own turn in flight, and the merge queue.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../src/config/load.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { Journal } from '../../src/journal/writer.js';
import { harnessHome, journalFileOf } from '../../src/runtime/harness-home.js';
import { browserMissing, launchBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/temp-dir.js';

const missing = browserMissing();
const TOKEN = 'dashboard-workers-token-0123456789';
const task = (n: number) => ({ id: `t-${n}`, text: `Write file ${n}`, phase: 'One', line: n });

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

/** A parallel run caught mid-flight: w1 in its developer turn, w2 in its tester turn, w3 waiting to merge. */
async function parallelJournal(repo: string, runId: string): Promise<void> {
  const { config } = await loadConfig({ repoRoot: repo, cwd: repo, env: {} });
  const file = journalFileOf(await harnessHome(config), runId);
  mkdirSync(path.dirname(file), { recursive: true });
  const journal = new Journal(file, runId);
  journal.append({ type: 'run_start', command: 'run', pid: 1, repoRoot: repo, transport: 'rpc', version: '0' });
  journal.append({ type: 'task_list', tasks: [1, 2, 3].map((n) => ({ ...task(n), done: false, parked: false })) });
  const roles = { 1: 'developer', 2: 'tester', 3: 'developer' } as const;
  for (const n of [1, 2, 3] as const) {
    const worker = `w${n}`;
    const view = journal.forWorker(worker);
    const base = { worker, iteration: n, task: task(n), baseCommit: 'b'.repeat(40) };
    view.append({ type: 'worker_start', ...base, branch: `pi-harness/${n}`, worktree: `/tmp/wt/${n}` });
    view.append({ type: 'iteration_start', iteration: n, task: task(n), startCommit: 'b'.repeat(40), preDirty: [] });
    view.append({
      type: 'turn_start',
      iteration: n,
      role: roles[n],
      step: roles[n],
      model: 'scripted',
      promptBytes: 100,
    });
    view.append({ type: 'tool_start', iteration: n, role: roles[n], name: 'read', path: `file${n}.txt` });
  }
  const usage = { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, cost: 0 };
  const w3 = journal.forWorker('w3');
  w3.append({
    type: 'turn_end',
    iteration: 3,
    role: 'developer',
    status: 'success',
    terminalReason: 'completed',
    usage,
    modelRequests: 1,
    toolCalls: 1,
    toolErrors: 0,
    durationMs: 5,
    changedFiles: ['file3.txt'],
  });
  w3.append({
    type: 'iteration_end',
    iteration: 3,
    task: task(3),
    status: 'succeeded',
    recorded: 'succeeded',
    reason: 'committed',
    durationMs: 10,
    usage,
    changedFiles: [],
    notes: [],
    largeFiles: [],
    needsRescue: false,
  });
}

describe.skipIf(missing !== undefined)('the dashboard of a parallel run', () => {
  it("shows each worker's task, step and turn in flight, and the merge queue", { timeout: 60_000 }, async () => {
    const repo = await tempDir();
    execFileSync('git', ['init', '-q'], { cwd: repo });
    await parallelJournal(repo, '20260101-000000-par');
    const { config } = await loadConfig({ repoRoot: repo, cwd: repo, env: {} });
    const dashboard = await startDashboard({ config, host: '127.0.0.1', port: 0, token: TOKEN, env: {} });
    try {
      await dashboard.board.follow();
      browser = await launchBrowser();
      const page = await browser.newPage();
      await page.goto(dashboard.url);
      const workers = page.getByTestId('workers');
      await workers.waitFor();
      const rows = await workers
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent ?? '')));
      expect(rows.map((cells) => cells.slice(0, 3))).toEqual([
        ['w1', '1: Write file 1', 'developer turn'],
        ['w2', '2: Write file 2', 'tester turn'],
        ['w3', '3: Write file 3', 'merging'],
      ]);
      expect(rows[0]?.[3]).toMatch(/^developer, \d+s, 1 tool calls \(last: read file1\.txt\)$/);
      expect(rows[1]?.[3]).toMatch(/^tester, \d+s, 1 tool calls \(last: read file2\.txt\)$/);
      expect(rows[2]?.[3]).toBe('—');
      expect(await page.getByTestId('merge-queue').textContent()).toBe('merge queue: merging w3');
    } finally {
      await dashboard.close();
    }
  });
});
