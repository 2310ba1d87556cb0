/**
 * `npm run bench:dashboard`: the dashboard and `status` under load.
 *
 * - a journal of 10,000 iterations: how long `GET /api/state` takes, and the page's first render in
 *   Chromium (navigation until the iteration list shows rows) — each should stay under 1 s;
 * - the loop bench's wall time with ten event-stream clients against none, alternated in the same
 *   invocation (--pairs N, default 2) — they should change it by 5 % at most;
 * - `status` as a fresh process on a journal of 1,000 iterations, with the fold snapshot a live run
 *   leaves and without it — under 300 ms.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/load.js';
import { startDashboard } from '../dashboard/server.js';
import { foldSnapshotFileOf } from '../journal/fold-snapshot.js';
import { saveFoldSnapshot } from '../journal/fold-snapshot-save.js';
import { JournalFold } from '../journal/fold/fold.js';
import { readJournalFile } from '../journal/read.js';
import { writeHistory } from './report-fixture.js';
import { currentBuild, runOnce } from './run-once.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'bench-token';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function time(repeats: number, task: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await task();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function repoWithHistory(iterations: number): Promise<{ repo: string; config: Config; journal: string }> {
  const repo = await mkdtemp(path.join(tmpdir(), 'pi-harness-dashboard-bench-'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const { config } = await loadConfig({ repoRoot: repo, cwd: repo, env: {} });
  await writeHistory(config.piRuntimeDir, { runs: 1, iterationsPerRun: iterations });
  const runs = path.join(config.piRuntimeDir, 'runs');
  const runId = execFileSync('ls', [runs], { encoding: 'utf8' }).trim();
  return { repo, config, journal: path.join(runs, runId, 'journal.jsonl') };
}

/** Run in the page: records when the iteration list first has a row (ms since the navigation began). */
const WATCH_FOR_ROWS = `new MutationObserver(() => {
  if (window.firstRowsMs === undefined && document.querySelector('[data-testid="iterations"] tbody tr'))
    window.firstRowsMs = performance.now();
}).observe(document, { subtree: true, childList: true });`;

/**
 * Median of three navigations: the time the page itself records (a mutation observer, from the
 * navigation's start) and the time Playwright's polling notices it (which adds up to its polling
 * interval).
 */
async function firstRender(url: string): Promise<{ pageMs: number; observedMs: number } | string> {
  if (!existsSync(CHROMIUM)) return `skipped: ${CHROMIUM} is missing`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page: number[] = [];
    const observed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const tab = await browser.newPage();
      await tab.addInitScript({ content: WATCH_FOR_ROWS });
      const start = performance.now();
      await tab.goto(url);
      await tab.locator('[data-testid="iterations"] tbody tr').first().waitFor();
      observed.push(performance.now() - start);
      page.push(Number(await tab.evaluate('window.firstRowsMs')));
      await tab.close();
    }
    return { pageMs: median(page), observedMs: median(observed) };
  } finally {
    await browser.close();
  }
}

async function dashboardFigures(iterations: number) {
  const { repo, config } = await repoWithHistory(iterations);
  try {
    const dashboard = await startDashboard({ config, host: '127.0.0.1', port: 0, token: TOKEN, env: {} });
    try {
      const loadMs = await time(1, () => dashboard.board.follow());
      const stateUrl = `http://127.0.0.1:${dashboard.port}/api/state`;
      const headers = { authorization: `Bearer ${TOKEN}` };
      let bytes = 0;
      const stateMs = await time(5, async () => {
        bytes = (await (await fetch(stateUrl, { headers })).arrayBuffer()).byteLength;
      });
      return { loadMs, stateMs, stateBytes: bytes, renderMs: await firstRender(dashboard.url) };
    } finally {
      await dashboard.close();
    }
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

async function statusFigures(iterations: number) {
  const { repo, journal } = await repoWithHistory(iterations);
  try {
    const run = () => execFileSync(process.execPath, [MAIN, 'status'], { cwd: repo, stdio: 'ignore' });
    run(); // Node's compile cache, as on any machine that ran the CLI before
    const withoutSnapshotMs = await time(5, run);
    // The snapshot a live run leaves after its last iteration, made by the same code.
    const fold = new JournalFold();
    const { events } = readJournalFile(journal);
    for (const event of events) fold.apply(event);
    saveFoldSnapshot(journal, fold, events.at(-1)?.seq ?? 0);
    const withSnapshotMs = await time(5, run);
    return { withSnapshotMs, withoutSnapshotMs, snapshot: existsSync(foldSnapshotFileOf(journal)) };
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

async function loopFigures(pairs: number) {
  const none: number[] = [];
  const ten: number[] = [];
  let received = 0;
  const build = currentBuild();
  for (let i = 0; i < pairs; i++) {
    process.stderr.write(`bench: loop pair ${i + 1}/${pairs}…\n`);
    // Both in the bench process (the dashboard attaches to the live run there): none, then ten.
    none.push((await runOnce({ build, modelDelayMs: 0, keep: false, sseClients: 0 })).wallMs);
    const watched = await runOnce({ build, modelDelayMs: 0, keep: false, sseClients: 10 });
    ten.push(watched.wallMs);
    received = Math.min(...(watched.sseBytes ?? [0]));
  }
  const a = median(none);
  const b = median(ten);
  // On a shared machine the fastest run of each kind is the steadiest estimate of its own cost.
  const noneMinMs = Math.min(...none);
  const tenMinMs = Math.min(...ten);
  return {
    noneMs: a,
    tenMs: b,
    changePct: ((b - a) / a) * 100,
    noneMinMs,
    tenMinMs,
    minChangePct: ((tenMinMs - noneMinMs) / noneMinMs) * 100,
    leastBytesPerClient: received,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { pairs: { type: 'string', default: '2' }, json: { type: 'boolean' } },
  });
  const machine = `${cpus().length}× ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  process.stderr.write('bench: dashboard on 10,000 iterations…\n');
  const dashboard = await dashboardFigures(10_000);
  process.stderr.write('bench: status on 1,000 iterations…\n');
  const status = await statusFigures(1000);
  const loop = Number(values.pairs) > 0 ? await loopFigures(Number(values.pairs)) : undefined;
  const result = { date: new Date().toISOString(), machine, dashboard, status, loop };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const ms = (value: number | string) => (typeof value === 'number' ? `${value.toFixed(0)} ms` : value);
  const render = (value: { pageMs: number; observedMs: number } | string) =>
    typeof value === 'string' ? value : `${ms(value.pageMs)} (as Playwright's polling saw it: ${ms(value.observedMs)})`;
  process.stdout.write(
    [
      `${result.date.slice(0, 10)}, ${machine}`,
      `10,000 iterations: dashboard load ${ms(dashboard.loadMs)}, GET /api/state ${ms(dashboard.stateMs)} ` +
        `(${(dashboard.stateBytes / 1024).toFixed(0)} KiB), first render in Chromium ${render(dashboard.renderMs)}`,
      `status (fresh process, 1,000 iterations): ${ms(status.withSnapshotMs)} with the fold snapshot, ` +
        `${ms(status.withoutSnapshotMs)} without`,
      loop
        ? `loop bench wall time: ${ms(loop.noneMs)} with no event-stream client, ${ms(loop.tenMs)} with ten ` +
          `(${loop.changePct >= 0 ? '+' : ''}${loop.changePct.toFixed(1)} %; fastest runs ${ms(loop.noneMinMs)} / ` +
          `${ms(loop.tenMinMs)}, ${loop.minChangePct.toFixed(1)} %; each client received ≥ ${loop.leastBytesPerClient} bytes)`
        : 'loop bench: skipped (--pairs 0)',
      '',
    ].join('\n'),
  );
}

await main();
