/**
 * Where a repository's run files are (the runs directory and the run lock), read without the
 * schema: `status` is a fresh process expected to answer in a fraction of a second, and loading
 * the validator alone costs more than the rest of its work. It reads only `piRuntimeDir` and
 * `activeRunFile`, from the same file and variables as the full loader and resolved the same way.
 * Anything it cannot read plainly — a file that is no JSON object, a field that is no non-empty
 * string — is left to the full loader (`undefined`), whose error messages then apply.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { discoverConfigFile } from './config-file.js';
import { RUNTIME_FILE_DEFAULTS } from './runtime-files.js';

export interface RuntimePaths {
  repoRoot: string;
  piRuntimeDir: string;
  activeRunFile: string;
}

const DEFAULT_RUNTIME_DIR = '.pi-harness';
const RUNTIME_DIR_VARIABLE = 'PI_RUNTIME_DIR';

type Field = { ok: true; value: string | undefined } | { ok: false };

function plainPath(value: unknown): Field {
  if (value === undefined) return { ok: true, value: undefined };
  return typeof value === 'string' && value.length > 0 ? { ok: true, value } : { ok: false };
}

async function readObject(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function readRuntimePaths(options: {
  repoRoot: string;
  cwd: string;
  configFile?: string;
  env: NodeJS.ProcessEnv;
}): Promise<RuntimePaths | undefined> {
  const configFile = await discoverConfigFile(options, options.env);
  const object = configFile ? await readObject(configFile) : {};
  if (!object) return undefined;
  // An empty variable means "not set", as in the full loader.
  const fromEnv = options.env[RUNTIME_DIR_VARIABLE];
  const runtimeDir = plainPath(fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : object.piRuntimeDir);
  const lockFile = plainPath(object.activeRunFile);
  if (!runtimeDir.ok || !lockFile.ok) return undefined;
  const piRuntimeDir = path.resolve(options.repoRoot, runtimeDir.value ?? DEFAULT_RUNTIME_DIR);
  return {
    repoRoot: options.repoRoot,
    piRuntimeDir,
    activeRunFile: lockFile.value
      ? path.resolve(options.repoRoot, lockFile.value)
      : path.join(piRuntimeDir, RUNTIME_FILE_DEFAULTS.activeRunFile),
  };
}
