/**
 * `npm run bench:report`: how long `pi-harness report` takes over a long history — 10,000
 * iterations across 50 runs of realistic journal — in process (the report's own work) and as a
 * fresh `node dist/cli/main.js report` (what a user waits for, Node start-up included). Median of 5.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../config/load.js';
import { buildReport, DEFAULT_REPORT_OPTIONS } from '../report/build-report.js';
import { renderReport } from '../report/render-text.js';
import { createStyle } from '../report/style.js';
import { writeHistory } from './report-fixture.js';
import { medianTime } from './timing.js';

const RUNS = 50;
const ITERATIONS_PER_RUN = 200;
const REPEATS = 5;
const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

/** What `pi-harness report` does in process: build the document, then render it or print it as JSON. */
async function report(config: Config, options: { json?: boolean; runs?: number; iterations?: number } = {}) {
  const document = await buildReport(config, {
    runs: options.runs ?? DEFAULT_REPORT_OPTIONS.runs,
    iterations: options.iterations ?? DEFAULT_REPORT_OPTIONS.iterations,
  });
  return options.json ? JSON.stringify(document, null, 2) : renderReport(document, createStyle(false));
}

async function main(): Promise<void> {
  const repo = await mkdtemp(path.join(tmpdir(), 'pi-harness-report-bench-'));
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repo,
        stdio: 'ignore',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'b',
          GIT_AUTHOR_EMAIL: 'b@b',
          GIT_COMMITTER_NAME: 'b',
          GIT_COMMITTER_EMAIL: 'b@b',
        },
      });
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'initial');
    const { config } = await loadConfig({ repoRoot: repo, cwd: repo, env: {} });
    const history = await writeHistory(config.piRuntimeDir, { runs: RUNS, iterationsPerRun: ITERATIONS_PER_RUN });
    console.log(
      `history: ${history.iterations} iterations in ${RUNS} runs, ${history.lines} journal lines, ${(history.bytes / 1024 / 1024).toFixed(1)} MB`,
    );

    await report(config); // warm-up: module loading and the first file-system reads
    const rows: Array<[string, number]> = [
      ['report (in process)', await medianTime(REPEATS, () => report(config))],
      ['report --json (in process)', await medianTime(REPEATS, () => report(config, { json: true }))],
      [
        'report --runs 50 --iterations 10000 (in process, everything)',
        await medianTime(REPEATS, () => report(config, { runs: 50, iterations: 10000, json: true })),
      ],
      [
        'node dist/cli/main.js report',
        await medianTime(REPEATS, () =>
          execFileSync(process.execPath, [MAIN, 'report'], { cwd: repo, stdio: 'ignore' }),
        ),
      ],
      [
        'node dist/cli/main.js report --json',
        await medianTime(REPEATS, () =>
          execFileSync(process.execPath, [MAIN, 'report', '--json'], { cwd: repo, stdio: 'ignore' }),
        ),
      ],
    ];
    for (const [label, ms] of rows)
      console.log(`${label.padEnd(62)} ${ms.toFixed(0).padStart(6)} ms (median of ${REPEATS})`);
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

await main();
