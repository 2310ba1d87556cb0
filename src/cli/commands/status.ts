/** `pi-harness status [--json]`: where the active run (or the last one) stands, from its journal alone. */
import type { Config } from '../../config/load.js';
import { buildStatus } from '../../report/status.js';
import { renderStatus } from '../../report/status-text.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export async function statusCommand(config: Config, io: CliIo, json: boolean): Promise<ExitCode> {
  const now = Date.now();
  const status = await buildStatus(config, now);
  io.stdout(json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status, now));
  return EXIT.ok;
}
