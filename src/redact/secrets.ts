/**
 * Which values are secret: the values of the harness's own environment variables named like
 * credentials (`*_KEY`, `*_API_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`), and the API keys the
 * configuration names (a literal `apiKey`, or the variable an `apiKeyEnv` points at, whatever its
 * name).
 */
import type { Config } from '../config/load.js';
import { SECRET_NAME } from './patterns.js';
import { createRedactor, MIN_SECRET_LENGTH, type NamedSecret, type Redactor } from './redactor.js';

export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function secretsFromEnv(env: NodeJS.ProcessEnv): NamedSecret[] {
  const found: NamedSecret[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!isSecretEnvName(name) || typeof raw !== 'string') continue;
    // A value padded with whitespace is also hidden in its trimmed form (shells and tools trim).
    for (const value of new Set([raw, raw.trim()])) {
      if (value.length >= MIN_SECRET_LENGTH) found.push({ name, value });
    }
  }
  return found;
}

export function secretsFromConfig(config: Pick<Config, 'models'>, env: NodeJS.ProcessEnv): NamedSecret[] {
  const found: NamedSecret[] = [];
  for (const [model, endpoint] of Object.entries(config.models)) {
    if (endpoint.apiKey) found.push({ name: `${model}.apiKey`, value: endpoint.apiKey });
    const fromEnv = endpoint.apiKeyEnv ? env[endpoint.apiKeyEnv] : undefined;
    if (endpoint.apiKeyEnv && fromEnv) found.push({ name: endpoint.apiKeyEnv, value: fromEnv });
  }
  return found;
}

/** The redactor of a run: everything secret in this environment and this configuration. */
export function redactorFor(config: Pick<Config, 'models'>, env: NodeJS.ProcessEnv): Redactor {
  return createRedactor([...secretsFromEnv(env), ...secretsFromConfig(config, env)]);
}

/** For writers that have no configuration at hand: the process environment's secrets. */
export function redactorFromEnv(env: NodeJS.ProcessEnv = process.env): Redactor {
  return createRedactor(secretsFromEnv(env));
}
