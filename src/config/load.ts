/**
 * Configuration discovery and loading: `--config` / PI_CONFIG_FILE, else ./pi.config.json if it
 * exists, else the defaults; environment variables override the file, the file overrides the
 * defaults. Loading never writes anything; every problem is collected and thrown as one
 * ConfigError naming the file or variable, the field and what was expected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from '../util/validator.js';
import { ROLES } from '../vocabulary/roles.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { readEnvOverrides } from './env.js';
import { DEFAULT_CONFIG_FILE, discoverConfigFile, isFile } from './config-file.js';
import { parseJsonWithPosition } from './json-text.js';
import {
  ConfigSchema,
  ModelEndpointSchema,
  PATH_FIELDS,
  RUNTIME_FILE_DEFAULTS,
  type ConfigKey,
  type ParsedConfig,
  type RuntimeFileKey,
} from './schema.js';
import { unknownKeyWarnings } from './unknown-keys.js';
import { errorMessage } from '../util/errors.js';

export { DEFAULT_CONFIG_FILE };

/** The validated configuration: every default applied, every path absolute, frozen. */
export type Config = Readonly<
  Omit<ParsedConfig, RuntimeFileKey | '$schema'> &
    Record<RuntimeFileKey, string> & {
      /** Directory every relative path was resolved against. */
      repoRoot: string;
      /** The file the configuration was read from, or null when only defaults and env applied. */
      configFile: string | null;
    }
>;

export interface LoadConfigOptions {
  repoRoot: string;
  /** Directory `./pi.config.json` is looked up in (the process's cwd). */
  cwd: string;
  /** `--config FILE`; takes precedence over PI_CONFIG_FILE. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  config: Config;
  /** Non-fatal findings (unknown keys); the CLI prints them to stderr. */
  warnings: string[];
}

async function readConfigObject(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ source: file, field: '', expected: `cannot read the file (${errorMessage(error)})` }]);
  }
  const parsed = parseJsonWithPosition(text);
  if (!parsed.ok) throw new ConfigError([{ source: file, field: '', expected: parsed.error }]);
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError([{ source: file, field: '', expected: 'expected a JSON object at the top level' }]);
  }
  return value as Record<string, unknown>;
}

function valueAt(root: unknown, keys: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // Objects are summarised, not printed: a model entry may hold a literal API key.
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  input: Record<string, unknown>,
  fileSource: string,
  envSources: Partial<Record<ConfigKey, string>>,
): ConfigProblem[] {
  return issues.map((issue) => {
    const top = issue.path[0] as ConfigKey | undefined;
    const source = (top && envSources[top]) ?? fileSource;
    const field = issue.path.map(String).join('.');
    if (issue.code === 'invalid_key') {
      // A bad record key (e.g. a model name without "provider/"): the key is what is wrong.
      const reason = issue.issues[0]?.message ?? issue.message;
      return { source, field, expected: `invalid key: ${reason} (got ${describeValue(issue.path.at(-1))})` };
    }
    const value = valueAt(input, issue.path);
    // An invalid apiKeyEnv is most often the key itself, pasted into the wrong field.
    const secret = issue.path.includes('apiKey') || issue.path.includes('apiKeyEnv');
    const got =
      secret || (issue.code === 'invalid_type' && value === undefined) ? '' : ` (got ${describeValue(value)})`;
    return { source, field, expected: `${issue.message}${got}` };
  });
}

function resolvePaths(parsed: ParsedConfig, repoRoot: string): Config {
  const runtimeDir = path.resolve(repoRoot, parsed.piRuntimeDir);
  const resolved: Record<string, unknown> = { ...parsed };
  delete resolved.$schema;
  for (const field of PATH_FIELDS) {
    const value = parsed[field];
    if (typeof value === 'string') {
      resolved[field] = path.resolve(repoRoot, value);
    } else if (field in RUNTIME_FILE_DEFAULTS) {
      resolved[field] = path.join(runtimeDir, RUNTIME_FILE_DEFAULTS[field as RuntimeFileKey]);
    }
  }
  return resolved as Config;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * With no config in the current directory, the repo root's own pi.config.json is not read (the
 * lookup is `./pi.config.json`); a run from a subdirectory must not pass for a configured one.
 */
export async function ignoredRootConfig(repoRoot: string, configFile: string | null): Promise<string | undefined> {
  if (configFile !== null) return undefined;
  const atRoot = path.join(repoRoot, DEFAULT_CONFIG_FILE);
  return (await isFile(atRoot)) ? atRoot : undefined;
}

export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const configFile = await discoverConfigFile(options, env);
  const fileObject = configFile ? await readConfigObject(configFile) : {};
  const loaded = configFromObject(fileObject, configFile, options.repoRoot, env);
  const ignored = await ignoredRootConfig(options.repoRoot, configFile);
  if (ignored) {
    loaded.warnings.push(
      `no ${DEFAULT_CONFIG_FILE} in ${options.cwd}: using built-in defaults, not ${ignored}; run pi-harness from ${options.repoRoot}, or pass --config ${ignored}`,
    );
  }
  return loaded;
}

/**
 * Validates `fileObject` (what `configFile` holds, or would hold) with the environment on top.
 * Writes nothing; `init` uses it to check a config before writing it.
 */
/** Fields renamed since they first shipped: the old name still works (with a warning) when the new one is absent. */
const RENAMED_FIELDS: Readonly<Record<string, ConfigKey>> = {
  visualizer: 'dashboard',
  visualizerHost: 'dashboardHost',
  visualizerPort: 'dashboardPort',
};

function renameOldFields(
  fileObject: Record<string, unknown>,
  source: string,
): { object: Record<string, unknown>; warnings: string[] } {
  const object = { ...fileObject };
  const warnings: string[] = [];
  for (const [old, current] of Object.entries(RENAMED_FIELDS)) {
    if (!(old in object)) continue;
    if (!(current in object)) object[current] = object[old];
    delete object[old];
    warnings.push(`${source}: "${old}" is the old name of "${current}"; it still works, but rename it`);
  }
  return { object, warnings };
}

export function configFromObject(
  original: Record<string, unknown>,
  configFile: string | null,
  repoRoot: string,
  env: NodeJS.ProcessEnv,
): LoadedConfig {
  const fileSource = configFile ?? 'built-in defaults';
  const { object: fileObject, warnings: renamed } = renameOldFields(original, fileSource);
  const overrides = readEnvOverrides(env);
  const input: Record<string, unknown> = { ...fileObject, ...overrides.values };
  const result = ConfigSchema.safeParse(input);
  const problems = [...overrides.problems];
  if (!result.success) problems.push(...issuesToProblems(result.error.issues, input, fileSource, overrides.sources));

  const warnings = configFile
    ? renamed.concat(
        unknownKeyWarnings(fileObject, {
          topLevel: Object.keys(ConfigSchema.shape),
          roles: ROLES,
          modelEndpoint: Object.keys(ModelEndpointSchema.shape),
        }).map((warning) => `${configFile}: ${warning}`),
      )
    : renamed;
  // A misspelled key often is the error ("baseUrl" missing because "baseURL" was written).
  if (problems.length > 0) throw new ConfigError(problems, warnings);
  const config = resolvePaths(result.data!, repoRoot);
  return { config: deepFreeze({ ...config, repoRoot, configFile }), warnings };
}
