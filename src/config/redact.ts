import type { Config } from './load.js';

/** A copy of the configuration safe to print or write: literal API keys are replaced. */
export function redactConfig(config: Config): Record<string, unknown> {
  const models = Object.fromEntries(
    Object.entries(config.models).map(([name, endpoint]) => [
      name,
      endpoint.apiKey === undefined ? endpoint : { ...endpoint, apiKey: '<redacted>' },
    ]),
  );
  return { ...config, models };
}
