/**
 * `npm run bench:dashboard`: the dashboard and `status` under load.
 *
 * - a journal of 10,000 iterations: how long `GET /api/state` takes, and the page's first render in
 *   Chromium (navigation until the iteration list shows rows) — each should stay under 1 s;
 * - the loop bench with ten event-stream clients against none, in pairs run back to back in the
 *   same invocation (--pairs N, default 5; which of the two goes first alternates): the median of
 *   the pairs' ratios, of wall time and of the bench process's CPU time (the harness, the dashboard
 *   and its clients) — the clients should change it by 5 % at most;
 * - `status` as a fresh process on a journal of 1,000 iterations, with the fold snapshot a live run
 *   leaves and without it — under 300 ms; its CPU time (user + system) beside the wall time, since
 *   on a shared machine the CPU time hardly moves with the load.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/load.js';
import { assetsDir } from '../dashboard/assets.js';
import { startDashboard } from '../dashboard/server.js';
import { foldSnapshotFileOf } from '../journal/fold-snapshot.js';
import { saveFoldSnapshot } from '../journal/fold-snapshot-save.js';
import { JournalFold } from '../journal/fold/fold.js';
import type { ReadEvent } from '../journal/decode.js';
import { readJournalFile } from '../journal/read.js';
import { writeHistory } from './report-fixture.js';
import { currentBuild, runOnce } from './run-once.js';
import { streamCost } from './stream-cost.js';
import { median, medianTime } from './timing.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'bench-token';

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
  const { repo, config, journal } = await repoWithHistory(iterations);
  try {
    const dashboard = await startDashboard({ config, host: '127.0.0.1', port: 0, token: TOKEN, env: {} });
    try {
      const loadMs = await medianTime(1, () => dashboard.board.follow());
      const headers = { authorization: `Bearer ${TOKEN}` };
      const timedGet = async (what: string) => {
        let bytes = 0;
        const ms = await medianTime(5, async () => {
          const url = `http://127.0.0.1:${dashboard.port}${what}`;
          bytes = (await (await fetch(url, { headers })).arrayBuffer()).byteLength;
        });
        return { ms, bytes };
      };
      const stream = await streamFigures(readJournalFile(journal).events.slice(0, 30_000), config);
      const state = await timedGet('/api/state');
      const series = await timedGet('/api/series');
      return {
        loadMs,
        stateMs: state.ms,
        stateBytes: state.bytes,
        seriesMs: series.ms,
        seriesBytes: series.bytes,
        page: await pageBytes(),
        stream,
        renderMs: await firstRender(dashboard.url),
      };
    } finally {
      await dashboard.close();
    }
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

/** Preloaded into `status`: its own CPU time (user + system, ms) at exit, into CPU_TO. */
const CPU_RECORDER = `process.on('exit', () => { const u = process.cpuUsage();
  require('node:fs').writeFileSync(process.env.CPU_TO, String((u.user + u.system) / 1000)); });`;

/** `status` as a fresh process, `repeats` times: median wall time and median CPU time of the process. */
function timeStatus(repo: string, repeats: number): { wallMs: number; cpuMs: number } {
  const recorder = path.join(repo, '.cpu-recorder.cjs');
  const record = path.join(repo, '.cpu');
  writeFileSync(recorder, CPU_RECORDER);
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    execFileSync(process.execPath, ['--require', recorder, MAIN, 'status'], {
      cwd: repo,
      stdio: 'ignore',
      env: { ...process.env, CPU_TO: record },
    });
    walls.push(performance.now() - start);
    cpus.push(Number(readFileSync(record, 'utf8')));
  }
  return { wallMs: median(walls), cpuMs: median(cpus) };
}

async function statusFigures(iterations: number) {
  const { repo, journal } = await repoWithHistory(iterations);
  try {
    timeStatus(repo, 1); // Node's compile cache, as on any machine that ran the CLI before
    const without = timeStatus(repo, 7);
    // The snapshot a live run leaves after its last iteration, made by the same code.
    const fold = new JournalFold();
    const { events } = readJournalFile(journal);
    for (const event of events) fold.apply(event);
    saveFoldSnapshot(journal, fold, events.at(-1)?.seq ?? 0);
    const withSnapshot = timeStatus(repo, 7);
    return {
      withSnapshotMs: withSnapshot.wallMs,
      withSnapshotCpuMs: withSnapshot.cpuMs,
      withoutSnapshotMs: without.wallMs,
      withoutSnapshotCpuMs: without.cpuMs,
      snapshot: existsSync(foldSnapshotFileOf(journal)),
    };
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

/** One pair: the loop with no dashboard and with ten clients, back to back; `tenFirst` swaps the order. */
async function loopPair(tenFirst: boolean) {
  const build = currentBuild();
  const run = (sseClients: number) => runOnce({ build, modelDelayMs: 0, keep: false, sseClients });
  const first = await run(tenFirst ? 10 : 0);
  const second = await run(tenFirst ? 0 : 10);
  const [none, ten] = tenFirst ? [second, first] : [first, second];
  return { none, ten };
}

async function loopFigures(pairs: number) {
  const wallRatios: number[] = [];
  const cpuRatios: number[] = [];
  const none: { wallMs: number; cpuMs: number }[] = [];
  const ten: { wallMs: number; cpuMs: number }[] = [];
  let received = Number.POSITIVE_INFINITY;
  for (let i = 0; i < pairs; i++) {
    process.stderr.write(`bench: loop pair ${i + 1}/${pairs}…\n`);
    // Both in the bench process (the dashboard attaches to the live run there).
    const pair = await loopPair(i % 2 === 1);
    const a = { wallMs: pair.none.wallMs, cpuMs: pair.none.cpuMs ?? 0 };
    const b = { wallMs: pair.ten.wallMs, cpuMs: pair.ten.cpuMs ?? 0 };
    none.push(a);
    ten.push(b);
    wallRatios.push(b.wallMs / a.wallMs);
    cpuRatios.push(b.cpuMs / a.cpuMs);
    received = Math.min(received, ...(pair.ten.sseBytes ?? [0]));
  }
  const pct = (ratio: number) => (ratio - 1) * 100;
  return {
    pairs,
    noneWallMs: median(none.map((run) => run.wallMs)),
    tenWallMs: median(ten.map((run) => run.wallMs)),
    noneCpuMs: median(none.map((run) => run.cpuMs)),
    tenCpuMs: median(ten.map((run) => run.cpuMs)),
    /** Median over the pairs of (with ten / with none) − 1, in %. */
    wallChangePct: pct(median(wallRatios)),
    cpuChangePct: pct(median(cpuRatios)),
    wallRatios,
    cpuRatios,
    leastBytesPerClient: received,
  };
}

/**
 * The event stream's own CPU cost: a run's events (the 10,000-iteration fixture's first 30,000)
 * to ten clients against none, alternated, five of each; per megabyte each client receives.
 */
async function streamFigures(events: ReadEvent[], config: Config) {
  const none: number[] = [];
  const ten: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 6; i++) {
    const without = await streamCost(config, events, 0);
    const withTen = await streamCost(config, events, 10);
    if (i === 0) continue; // warm-up
    none.push(without.cpuMs);
    ten.push(withTen.cpuMs);
    bytes = withTen.bytesPerClient;
  }
  const extraCpuMs = median(ten) - median(none);
  return {
    events: events.length,
    bytesPerClient: bytes,
    noneCpuMs: median(none),
    tenCpuMs: median(ten),
    extraCpuMsPerMiB: extraCpuMs / (bytes / 2 ** 20),
  };
}

/** The page's files: what its first render waits for, and what comes after it. */
async function pageBytes() {
  const dir = assetsDir();
  const files = await readdir(dir);
  const size = async (name: string) => (await stat(path.join(dir, name))).size;
  const later = files.filter((name) => name.endsWith('.js') && name !== 'app.js');
  return {
    appJs: await size('app.js'),
    appCss: await size('app.css'),
    laterJs: (await Promise.all(later.map(size))).reduce((sum, bytes) => sum + bytes, 0),
  };
}

type Result = {
  date: string;
  machine: string;
  dashboard: Awaited<ReturnType<typeof dashboardFigures>>;
  status: Awaited<ReturnType<typeof statusFigures>>;
  loop: Awaited<ReturnType<typeof loopFigures>> | undefined;
};

const ms = (value: number | string) => (typeof value === 'number' ? `${value.toFixed(0)} ms` : value);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const signed = (pct: number) => `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;

function report({ date, machine, dashboard, status, loop }: Result): string {
  const render = (value: { pageMs: number; observedMs: number } | string) =>
    typeof value === 'string' ? value : `${ms(value.pageMs)} (as Playwright's polling saw it: ${ms(value.observedMs)})`;
  const { page } = dashboard;
  return [
    `${date}, ${machine}`,
    `10,000 iterations: dashboard load ${ms(dashboard.loadMs)}, GET /api/state ${ms(dashboard.stateMs)} ` +
      `(${kib(dashboard.stateBytes)}), first render in Chromium ${render(dashboard.renderMs)}`,
    `  after the first render: GET /api/series ${ms(dashboard.seriesMs)} (${kib(dashboard.seriesBytes)}), ` +
      `the chart library ${kib(page.laterJs)}; before it: app.js ${kib(page.appJs)}, app.css ${kib(page.appCss)}`,
    `status (fresh process, 1,000 iterations): ${ms(status.withSnapshotMs)} wall, ${ms(status.withSnapshotCpuMs)} ` +
      `CPU with the fold snapshot; ${ms(status.withoutSnapshotMs)} wall, ${ms(status.withoutSnapshotCpuMs)} CPU without`,
    `event stream: ${dashboard.stream.events} events (${kib(dashboard.stream.bytesPerClient)} per client) cost the ` +
      `serving process ${ms(dashboard.stream.noneCpuMs)} CPU with no client, ${ms(dashboard.stream.tenCpuMs)} with ten: ` +
      `${ms(dashboard.stream.extraCpuMsPerMiB)} per MiB each client receives`,
    loop
      ? `loop bench, ${loop.pairs} pairs, ten event-stream clients against none (median of the pairs' ratios): ` +
        `wall ${signed(loop.wallChangePct)} (medians ${ms(loop.noneWallMs)} / ${ms(loop.tenWallMs)}), ` +
        `bench process CPU ${signed(loop.cpuChangePct)} (medians ${ms(loop.noneCpuMs)} / ${ms(loop.tenCpuMs)}); ` +
        `each client received ≥ ${loop.leastBytesPerClient} bytes`
      : 'loop bench: skipped (--pairs 0)',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { pairs: { type: 'string', default: '5' }, json: { type: 'boolean' } },
  });
  const machine = `${cpus().length}× ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  process.stderr.write('bench: dashboard on 10,000 iterations…\n');
  const dashboard = await dashboardFigures(10_000);
  process.stderr.write('bench: status on 1,000 iterations…\n');
  const status = await statusFigures(1000);
  const loop = Number(values.pairs) > 0 ? await loopFigures(Number(values.pairs)) : undefined;
  const result: Result = { date: new Date().toISOString(), machine, dashboard, status, loop };
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(report(result));
}

await main();
