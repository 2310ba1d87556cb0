/**
 * `pi-harness status` the quick way. It is run in watch loops and from scripts, each time as a
 * fresh process, so what it loads is most of what it costs: this way loads neither the
 * command-line parser nor the configuration's validator, only the status command's own modules.
 * It takes only the plain forms — `status`, `--json`, `--config FILE` — and leaves everything else
 * (`--help`, a typo, a configuration that needs the full loader, a configuration error) to the
 * full CLI, which then answers exactly as it always does.
 *
 * This module imports nothing: the entry point asks it before loading anything else.
 */
import type { CliIo } from './io.js';
import type { ExitCode } from './exit-codes.js';

export interface QuickStatusArgs {
  json: boolean;
  configFile?: string;
}

/** A value for `--config`: what the parser would take, and nothing it might read otherwise. */
const plainValue = (value: string | undefined) =>
  value !== undefined && value !== '' && !value.startsWith('-') ? value : undefined;

/** `argv` (without node and script) when it asks for `status` in a plain form, else undefined. */
export function quickStatusArgs(argv: readonly string[]): QuickStatusArgs | undefined {
  let command = false;
  let json = false;
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === 'status' && !command) command = true;
    else if (arg === '--json' && command && !json) json = true;
    else if ((arg === '--config' || arg.startsWith('--config=')) && configFile === undefined) {
      configFile = plainValue(arg === '--config' ? argv[++i] : arg.slice('--config='.length));
      if (configFile === undefined) return undefined;
    } else return undefined;
  }
  if (!command) return undefined;
  return configFile === undefined ? { json } : { json, configFile };
}

/**
 * Runs `status` for plain `args`; undefined when the full CLI must answer instead (nothing has been
 * printed then).
 */
export async function quickStatus(args: QuickStatusArgs, io: CliIo): Promise<ExitCode | undefined> {
  const [{ plainStatusCommand }, { ConfigError }, { NewerVersionError }] = await Promise.all([
    import('./commands/status.js'),
    import('../config/errors.js'),
    import('../runtime/newer-version.js'),
  ]);
  try {
    return await plainStatusCommand(io, args);
  } catch (error) {
    // The full CLI words these (exit 2); nothing was printed yet.
    if (error instanceof ConfigError || error instanceof NewerVersionError) return undefined;
    throw error;
  }
}
