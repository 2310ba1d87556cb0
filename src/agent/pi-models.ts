/**
 * Makes pi use the model endpoints declared in the harness config, with no separate pi setup and
 * without ever writing an API key's value to disk.
 *
 * pi reads everything user-level from one "agent directory" (`PI_CODING_AGENT_DIR`, default
 * `~/.pi/agent`): models.json (custom endpoints), auth.json (stored keys / OAuth), settings.json,
 * trust.json, bin/ (managed fd/rg), global AGENTS.md/SYSTEM.md, extensions/, skills/, ...
 * There is no flag pointing pi at another models.json, so we give each run a PRIVATE agent dir
 * (`<runDir>/pi-agent`) and decide file by file what of the user's own dir carries over:
 *
 * - models.json — GENERATED: the user's providers (so their custom endpoints keep working for
 *   models not in our map) merged with ours (ours win per provider/model id). Keys are written
 *   only as `${ENV}` references, which pi resolves in its own process (resolve-config-value.js):
 *   a literal `apiKey` from our config travels in the child's environment as
 *   `PI_HARNESS_KEY_<PROVIDER>`; literal keys/header values found in the user's models.json are
 *   moved to `PI_HARNESS_USER_SECRET_<n>` the same way, so no secret is copied into the run dir.
 *   Values containing `$` (references, escapes) or starting with `!` (commands) are kept as-is.
 *   Our models carry their own model-level `baseUrl`/`api`: a provider-level baseUrl would
 *   redirect every built-in model of that provider (pi applies it to all of them).
 * - auth.json — SYMLINKED to the user's file: built-in providers they logged into keep working,
 *   OAuth refreshes are written back to the real file (a copy would go stale and, with rotating
 *   refresh tokens, could log the user out), and no secret is duplicated. A stored auth.json
 *   credential beats a models.json `apiKey` in pi's resolution order, so when the user's
 *   auth.json holds a credential for a provider of our map we do NOT link it (and warn).
 * - settings.json — COPIED (plain JSON) with harness overrides merged on top, because pi writes
 *   settings back (RPC set_auto_retry / set_steering_mode / set_auto_compaction persist) and those
 *   writes must not leak into the user's global settings. Resource lists (packages, extensions,
 *   skills, prompts, themes) are dropped: their relative paths resolve from the agent dir and the
 *   harness pins resources on the command line; `apiKeys` (a legacy secret field) is dropped.
 * - bin/ — SYMLINKED when present so the find/grep tools find the managed fd/rg binaries
 *   (offline mode forbids downloading them).
 * - NOT carried: trust.json (the launcher passes --approve/--no-approve explicitly; RPC mode has
 *   no UI to ask), global AGENTS.md/SYSTEM.md/APPEND_SYSTEM.md (harness runs should not depend on
 *   personal instructions; the project's own AGENTS.md still loads from the cwd), sessions
 *   (the harness passes --session-dir), extensions/skills/prompts/themes, keybindings.
 *
 * The returned env also switches off every startup network call: PI_OFFLINE=1 (catalog refresh,
 * package installs, tool downloads), PI_SKIP_VERSION_CHECK=1, PI_TELEMETRY=0 (install telemetry
 * and provider attribution headers).
 */
import { lstat, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { withCompactionOverrides } from './pi-compaction.js';
import { join, resolve } from 'node:path';
import { isObject, type JsonObject } from '../util/json.js';

export interface ModelEndpoint {
  baseUrl: string;
  /** pi API name; default `openai-completions`. */
  api?: string;
  /** Literal key; passed to pi through the environment, never written to disk. */
  apiKey?: string;
  /** Name of an environment variable (of the harness process) holding the key. */
  apiKeyEnv?: string;
  vision?: boolean;
  contextWindow?: number;
  maxTokens?: number;
}

export interface PreparePiAgentDirOptions {
  runDir: string;
  /** Keyed by `provider/id`; the id may itself contain `/`. */
  models: Record<string, ModelEndpoint>;
  /**
   * The user's own agent dir to inherit from; default `$PI_CODING_AGENT_DIR` or `~/.pi/agent`.
   * `null` inherits nothing.
   */
  userAgentDir?: string | null;
  /** The environment pi will inherit (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Settings merged over the user's (e.g. `{ retry: {...} }`). */
  settings?: Record<string, unknown>;
}

export interface PiAgentDir {
  agentDir: string;
  /** Environment for the pi child: PI_CODING_AGENT_DIR, offline switches, and key variables. */
  env: Record<string, string>;
  /** Things the caller should tell the user (never contain secret values). */
  warnings: string[];
}

export const PI_AGENT_DIR_NAME = 'pi-agent';
const DEFAULT_API = 'openai-completions';
/** pi needs some key to consider a provider usable; keyless local servers ignore it. */
const NO_KEY_PLACEHOLDER = 'pi-harness-no-key';
const DROPPED_SETTINGS = ['packages', 'extensions', 'skills', 'prompts', 'themes', 'apiKeys'];

export function splitModelRef(ref: string): { provider: string; modelId: string } {
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) throw new Error(`model "${ref}" is not of the form provider/id`);
  return { provider: ref.slice(0, slash), modelId: ref.slice(slash + 1) };
}

export function defaultUserAgentDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.PI_CODING_AGENT_DIR;
  if (fromEnv) return fromEnv === '~' || fromEnv.startsWith('~/') ? join(homedir(), fromEnv.slice(1)) : fromEnv;
  return join(homedir(), '.pi', 'agent');
}

/** pi accepts `//` comments and trailing commas in its JSON files (utils/json.js). */
async function readJsonFile(path: string): Promise<JsonObject | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const cleaned = text
    .replace(/^\uFEFF/, '')
    .replace(/"(?:\\.|[^"\\])*"|\/\/[^\n]*/g, (m) => (m.startsWith('"') ? m : ''))
    .replace(/"(?:\\.|[^"\\])*"|,(\s*[}\]])/g, (m, tail: string | undefined) => tail ?? (m.startsWith('"') ? m : ''));
  try {
    const parsed = JSON.parse(cleaned) as unknown;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Allocates unique environment variable names for secrets. */
class EnvAllocator {
  readonly env: Record<string, string> = {};

  add(baseName: string, value: string): string {
    const base = baseName.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    let name = base;
    for (let n = 2; name in this.env; n++) name = `${base}_${n}`;
    this.env[name] = value;
    return name;
  }
}

/** A value pi would treat as a literal: not a `!command` and no `$` interpolation or escape. */
function isLiteralSecret(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && !value.startsWith('!') && !value.includes('$');
}

function externalizeHeaders(headers: unknown, envs: EnvAllocator): unknown {
  if (!isObject(headers)) return headers;
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      isLiteralSecret(value) ? `\${${envs.add('PI_HARNESS_USER_SECRET', value)}}` : value,
    ]),
  );
}

/** The user's provider config with every literal key and header value moved to the environment. */
function externalizeUserProvider(provider: JsonObject, envs: EnvAllocator): JsonObject {
  const copy: JsonObject = { ...provider };
  if (isLiteralSecret(copy.apiKey)) copy.apiKey = `\${${envs.add('PI_HARNESS_USER_SECRET', copy.apiKey)}}`;
  if ('headers' in copy) copy.headers = externalizeHeaders(copy.headers, envs);
  if (Array.isArray(copy.models)) {
    copy.models = copy.models.map((m: unknown) =>
      isObject(m) && 'headers' in m ? { ...m, headers: externalizeHeaders(m.headers, envs) } : m,
    );
  }
  if (isObject(copy.modelOverrides)) {
    copy.modelOverrides = Object.fromEntries(
      Object.entries(copy.modelOverrides).map(([id, o]) => [
        id,
        isObject(o) && 'headers' in o ? { ...o, headers: externalizeHeaders(o.headers, envs) } : o,
      ]),
    );
  }
  return copy;
}

function modelDefinition(modelId: string, endpoint: ModelEndpoint): JsonObject {
  const definition: JsonObject = {
    id: modelId,
    api: endpoint.api ?? DEFAULT_API,
    baseUrl: endpoint.baseUrl,
    input: endpoint.vision ? ['text', 'image'] : ['text'],
  };
  if (endpoint.contextWindow !== undefined) definition.contextWindow = endpoint.contextWindow;
  if (endpoint.maxTokens !== undefined) definition.maxTokens = endpoint.maxTokens;
  return definition;
}

/** The `apiKey` reference for one provider of our map (all its models must agree on the key). */
function providerKeyReference(
  provider: string,
  endpoints: ModelEndpoint[],
  envs: EnvAllocator,
  warnings: string[],
  baseEnv: NodeJS.ProcessEnv,
): string {
  const sources = new Set(
    endpoints.map((e) => (e.apiKey !== undefined ? `key:${e.apiKey}` : e.apiKeyEnv ? `env:${e.apiKeyEnv}` : 'none')),
  );
  if (sources.size > 1) {
    throw new Error(`models of provider "${provider}" declare different API keys; pi keeps one key per provider`);
  }
  const endpoint = endpoints[0];
  if (endpoint?.apiKey !== undefined) return `\${${envs.add(`PI_HARNESS_KEY_${provider}`, endpoint.apiKey)}}`;
  if (endpoint?.apiKeyEnv) {
    if (!baseEnv[endpoint.apiKeyEnv]) {
      warnings.push(`environment variable ${endpoint.apiKeyEnv} (API key of provider "${provider}") is not set`);
    }
    return `\${${endpoint.apiKeyEnv}}`;
  }
  return NO_KEY_PLACEHOLDER;
}

function buildModelsJson(
  userModels: JsonObject | undefined,
  ours: Record<string, ModelEndpoint>,
  envs: EnvAllocator,
  warnings: string[],
  baseEnv: NodeJS.ProcessEnv,
): JsonObject {
  const providers: JsonObject = {};
  const userProviders = isObject(userModels?.providers) ? userModels.providers : {};
  for (const [id, config] of Object.entries(userProviders)) {
    if (isObject(config)) providers[id] = externalizeUserProvider(config, envs);
  }
  const byProvider = new Map<string, { modelId: string; endpoint: ModelEndpoint }[]>();
  for (const [ref, endpoint] of Object.entries(ours)) {
    const { provider, modelId } = splitModelRef(ref);
    const list = byProvider.get(provider) ?? [];
    list.push({ modelId, endpoint });
    byProvider.set(provider, list);
  }
  for (const [provider, entries] of byProvider) {
    const base = isObject(providers[provider]) ? providers[provider] : {};
    const ourIds = new Set(entries.map((e) => e.modelId));
    const kept = Array.isArray(base.models)
      ? base.models.filter((m: unknown) => !(isObject(m) && ourIds.has(String(m.id))))
      : [];
    providers[provider] = {
      ...base,
      apiKey: providerKeyReference(
        provider,
        entries.map((e) => e.endpoint),
        envs,
        warnings,
        baseEnv,
      ),
      models: [...kept, ...entries.map((e) => modelDefinition(e.modelId, e.endpoint))],
    };
  }
  return { providers };
}

/** (Re)points `link` at `target`. Leaves a real file/dir pi created at `link` alone. */
async function linkIfPresent(target: string, link: string): Promise<void> {
  const current = await lstat(link).catch(() => undefined);
  if (current && !current.isSymbolicLink()) return;
  if (current) await rm(link, { force: true });
  if (await exists(target)) await symlink(target, link);
}

export async function preparePiAgentDir(options: PreparePiAgentDirOptions): Promise<PiAgentDir> {
  const agentDir = resolve(options.runDir, PI_AGENT_DIR_NAME);
  await mkdir(agentDir, { recursive: true, mode: 0o700 });
  const userDir =
    options.userAgentDir === null ? undefined : resolve(options.userAgentDir ?? defaultUserAgentDir(options.env));
  const warnings: string[] = [];
  const envs = new EnvAllocator();
  const ourProviders = new Set(Object.keys(options.models).map((ref) => splitModelRef(ref).provider));

  const userModels = userDir ? await readJsonFile(join(userDir, 'models.json')) : undefined;
  const modelsJson = buildModelsJson(userModels, options.models, envs, warnings, options.env ?? process.env);
  await writeFile(join(agentDir, 'models.json'), `${JSON.stringify(modelsJson, null, 2)}\n`, { mode: 0o600 });

  const userSettings = (userDir ? await readJsonFile(join(userDir, 'settings.json')) : undefined) ?? {};
  for (const key of DROPPED_SETTINGS) delete userSettings[key];
  const settings = withCompactionOverrides({ ...userSettings, ...options.settings }, options.models);
  await writeFile(join(agentDir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });

  const authLink = join(agentDir, 'auth.json');
  await rm(authLink, { force: true });
  if (userDir) {
    const userAuth = await readJsonFile(join(userDir, 'auth.json'));
    const clashes = Object.keys(userAuth ?? {}).filter((provider) => ourProviders.has(provider));
    if (clashes.length > 0) {
      warnings.push(
        `not using your pi logins (auth.json): they hold credentials for ${clashes.join(', ')}, which would override ` +
          'the keys of the harness config; rename those providers in the harness config to use both',
      );
    } else {
      await linkIfPresent(join(userDir, 'auth.json'), authLink);
    }
    await linkIfPresent(join(userDir, 'bin'), join(agentDir, 'bin'));
  }

  return {
    agentDir,
    env: {
      PI_CODING_AGENT_DIR: agentDir,
      PI_OFFLINE: '1',
      PI_SKIP_VERSION_CHECK: '1',
      PI_TELEMETRY: '0',
      ...envs.env,
    },
    warnings,
  };
}
