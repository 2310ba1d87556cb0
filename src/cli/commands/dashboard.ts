/**
 * Starting the dashboard for a command (`run`, `once --dashboard`, `demo --dashboard`,
 * `visualize`) and printing its one line. The line goes to the terminal through the command's own
 * streams, never through the run's redacting output (which would blank the token, being the value
 * of a *_TOKEN variable when PI_HARNESS_DASHBOARD_TOKEN is set) and never into a file.
 */
import type { Config } from '../../config/load.js';
import { dashboardToken } from '../../dashboard/auth.js';
import { startDashboard, type Dashboard } from '../../dashboard/server.js';
import { errorMessage } from '../../util/errors.js';
import type { CliIo } from '../io.js';

export interface DashboardFlags {
  /** --dashboard / --no-dashboard; undefined: the configuration decides. */
  dashboard?: boolean;
  host?: string;
  port?: string;
}

/** The port a flag asks for, or an error message. */
export function parsePort(value: string | undefined, fallback: number): number | string {
  if (value === undefined) return fallback;
  const port = Number(value);
  return Number.isInteger(port) && port >= 0 && port <= 65535
    ? port
    : `--port expects a port number from 0 to 65535 (got ${JSON.stringify(value)})`;
}

export async function openDashboard(config: Config, io: CliIo, flags: DashboardFlags): Promise<Dashboard> {
  const port = parsePort(flags.port, config.dashboardPort);
  if (typeof port === 'string') throw new Error(port);
  const dashboard = await startDashboard({
    config,
    host: flags.host ?? config.dashboardHost,
    port,
    token: dashboardToken(io.env),
    env: io.env,
  });
  for (const note of dashboard.notes) io.stderr(`${note}\n`);
  io.stdout(`dashboard: ${dashboard.url}\n`);
  return dashboard;
}

/** The flag decides, else the config (`dashboard`, PI_VISUALIZER), else the mode: on for `run`, off for `once`. */
export function dashboardEnabled(mode: 'once' | 'run', configured: boolean | undefined, flag: boolean | undefined) {
  return flag ?? configured ?? mode === 'run';
}

/** A run's dashboard when it is on (`run`: unless turned off; `once`: when asked for); a failure to start is a warning. */
export async function dashboardForRun(
  mode: 'once' | 'run',
  config: Config,
  io: CliIo,
  flags: DashboardFlags,
): Promise<Dashboard | undefined> {
  if (!dashboardEnabled(mode, config.dashboard, flags.dashboard)) return undefined;
  try {
    return await openDashboard(config, io, flags);
  } catch (error) {
    io.stderr(`warning: the dashboard did not start (${errorMessage(error)}); the run goes on without it\n`);
    return undefined;
  }
}

/** Resolves on the first SIGINT, SIGTERM or SIGHUP. */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const name of signals) process.off(name, onSignal);
      resolve(signal);
    };
    for (const name of signals) process.on(name, onSignal);
  });
}
