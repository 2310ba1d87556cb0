/**
 * Which configuration file applies: `--config` / PI_CONFIG_FILE, else ./pi.config.json if it
 * exists. Kept apart from the schema (and zod) so that `status` can find the run's files without
 * loading the validator.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './errors.js';

export const DEFAULT_CONFIG_FILE = 'pi.config.json';

export async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isDirectory() === true;
}

/** Which file to read, if any. An explicitly named file must exist. */
export async function discoverConfigFile(
  options: { cwd: string; configFile?: string },
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  const explicit = options.configFile ?? (env.PI_CONFIG_FILE?.trim() || undefined);
  if (explicit) {
    const resolved = path.resolve(options.cwd, explicit);
    if (!(await isFile(resolved))) {
      const origin = options.configFile ? '--config' : 'environment variable PI_CONFIG_FILE';
      const what = (await isDirectory(resolved))
        ? `not a file: ${resolved} (a directory; name the config file in it)`
        : `config file not found: ${resolved}`;
      throw new ConfigError([{ source: origin, field: '', expected: what }]);
    }
    return resolved;
  }
  const implicit = path.join(options.cwd, DEFAULT_CONFIG_FILE);
  return (await isFile(implicit)) ? implicit : null;
}
