import type { CliIo } from '../io.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Config } from '../../config/load.js';
import { formatChecks, verdictLine } from '../../doctor/format.js';
import { runPreflight } from '../../doctor/preflight.js';

/**
 * `pi-harness doctor`: the preflight checks alone. Exit 4 when one fails, exactly as `once` and
 * `run` would refuse to start; warnings alone exit 0.
 */
export async function runDoctor(config: Config, io: CliIo, json: boolean): Promise<ExitCode> {
  const result = await runPreflight(config, { env: io.env });
  const verdict = verdictLine(result);
  if (json) {
    const document = {
      ok: result.ok,
      verdict,
      repoRoot: config.repoRoot,
      configFile: config.configFile,
      checks: result.checks,
    };
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stdout(`pi-harness doctor — ${config.repoRoot}\n\n${formatChecks(result.checks)}\n${verdict}\n`);
    io.stdout(
      result.ok
        ? 'next: `pi-harness once` runs one iteration on the first open task\n'
        : '`pi-harness once` and `run` refuse to start until the failures above are fixed (exit 4)\n',
    );
  }
  return result.ok ? EXIT.ok : EXIT.preflight;
}
