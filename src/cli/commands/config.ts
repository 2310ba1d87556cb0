import type { CliIo } from '../io.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Config } from '../../config/load.js';
import { envBindings } from '../../config/env.js';
import { redactConfig } from '../../config/redact.js';

/** `pi-harness config`: the effective configuration, so users can see what env and file did. */
export function printConfig(config: Config, io: CliIo, json: boolean): ExitCode {
  const printable = redactConfig(config);
  if (json) {
    io.stdout(`${JSON.stringify(printable, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout(`config file: ${config.configFile ?? '(none: built-in defaults)'}\n`);
  io.stdout(`repo root:   ${config.repoRoot}\n`);
  const overridden = envBindings().filter(({ variable }) => io.env[variable] !== undefined);
  if (overridden.length > 0) {
    io.stdout(`from environment: ${overridden.map((b) => `${b.field} (${b.variable})`).join(', ')}\n`);
  }
  io.stdout('\n');
  for (const [key, value] of Object.entries(printable)) {
    if (key === 'repoRoot' || key === 'configFile') continue;
    io.stdout(`${key} = ${JSON.stringify(value)}\n`);
  }
  return EXIT.ok;
}
