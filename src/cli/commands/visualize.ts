/**
 * `pi-harness visualize [--host H] [--port P]`: the dashboard over the repository's run history,
 * without starting a run; live whenever a run is active. Serves until Ctrl-C.
 */
import type { Config } from '../../config/load.js';
import { errorMessage } from '../../util/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { openDashboard, untilInterrupted, type DashboardFlags } from './dashboard.js';

export async function visualizeCommand(config: Config, io: CliIo, flags: DashboardFlags): Promise<ExitCode> {
  let dashboard;
  try {
    dashboard = await openDashboard(config, io, flags);
  } catch (error) {
    io.stderr(`pi-harness visualize: ${errorMessage(error)}\n`);
    return EXIT.usage;
  }
  try {
    await dashboard.board.follow();
    io.stdout('serving the run history (live while a run is active); Ctrl-C to stop\n');
    await untilInterrupted();
    return EXIT.ok;
  } finally {
    await dashboard.close();
  }
}
