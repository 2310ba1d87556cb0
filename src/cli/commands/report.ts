/**
 * `pi-harness report [--json] [--runs N] [--iterations N]`: what the harness did, why, and what it
 * cost — from the run journals, state and git. Read-only. Exit 0, also when there is no history.
 */
import type { CliIo } from '../io.js';
import { processIo } from '../io.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Config } from '../../config/load.js';
import { buildReport, DEFAULT_REPORT_OPTIONS } from '../../report/build-report.js';
import { renderReport } from '../../report/render-text.js';
import { colorEnabled, createStyle } from '../../report/style.js';

export interface ReportCommandOptions {
  json?: boolean;
  runs?: string;
  iterations?: string;
}

/** A count option: a positive whole number, or undefined for the default. */
function parseCount(name: string, value: string | undefined, io: CliIo): number | undefined | null {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!Number.isSafeInteger(count) || count < 1) {
    io.stderr(`pi-harness report: --${name} expects a whole number of at least 1 (got ${JSON.stringify(value)})\n`);
    return null;
  }
  return count;
}

export async function runReport(config: Config, io: CliIo, options: ReportCommandOptions): Promise<ExitCode> {
  const runs = parseCount('runs', options.runs, io);
  const iterations = parseCount('iterations', options.iterations, io);
  if (runs === null || iterations === null) return EXIT.usage;
  const report = await buildReport(config, {
    runs: runs ?? DEFAULT_REPORT_OPTIONS.runs,
    iterations: iterations ?? DEFAULT_REPORT_OPTIONS.iterations,
  });
  if (options.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.ok;
  }
  // Colour only when writing to the real terminal; tests and pipes get plain text.
  const isTTY = io.stdout === processIo.stdout && process.stdout.isTTY === true;
  io.stdout(renderReport(report, createStyle(colorEnabled(io.env, isTTY))));
  return EXIT.ok;
}
