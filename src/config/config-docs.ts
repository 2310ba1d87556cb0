/**
 * docs/configuration.md, generated from the JSON Schema (itself generated from the zod schema), so
 * the reference users read cannot disagree with what the harness accepts.
 */
import { configJsonSchema } from './json-schema.js';

interface Property {
  description?: string;
  default?: unknown;
  'x-env'?: string;
  type?: string;
  enum?: unknown[];
  anyOf?: Property[];
  minimum?: number;
  maximum?: number;
  items?: Property;
}

function typeOf(property: Property): string {
  if (property.enum) return property.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' | ');
  if (property.anyOf) return property.anyOf.map(typeOf).join(' or ');
  if (property.type === 'array') return `${property.items ? typeOf(property.items) : 'value'}[]`;
  const range =
    property.minimum !== undefined && property.maximum !== undefined && property.maximum < Number.MAX_SAFE_INTEGER
      ? ` (${property.minimum}–${property.maximum})`
      : property.minimum !== undefined
        ? ` (≥ ${property.minimum})`
        : '';
  return `${property.type ?? 'object'}${range}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function configurationMarkdown(): string {
  const schema = configJsonSchema() as { properties: Record<string, Property> };
  const rows = Object.entries(schema.properties)
    .filter(([name]) => name !== '$schema')
    .map(([name, property]) => {
      const fallback = property.default === undefined ? '—' : `\`${JSON.stringify(property.default)}\``;
      const env = property['x-env'] ? `\`${property['x-env']}\`` : '—';
      return `| \`${name}\` | ${cell(typeOf(property))} | ${cell(fallback)} | ${env} | ${cell(property.description ?? '')} |`;
    });
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run build`; do not edit by hand. -->',
    '',
    'Read from `--config FILE`, else `PI_CONFIG_FILE`, else `./pi.config.json` (in the current',
    'directory) when it exists, else the defaults below. Run pi-harness from the repository root: from a',
    "subdirectory the root's `pi.config.json` is not read, so every command warns and `doctor`, `once`",
    'and `run` refuse (exit 4) until you `cd` to the root or pass `--config`. Environment variables',
    'override the file; the file overrides the defaults.',
    'Relative paths resolve against the repository root. Numbers of seconds, tokens and dollars set to',
    '0 mean "no limit" where the description says so. Editors complete the file through',
    '`"$schema": "./node_modules/pi-harness/schema/pi.config.schema.json"`.',
    '',
    '| field | type | default | environment | what it does |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## `models` entries',
    '',
    'Keyed by `provider/id`: `baseUrl` (required), `api` (default `openai-completions`), `apiKey` or',
    '`apiKeyEnv` (the name of the variable holding the key — preferred, the key then never sits in a',
    'file), `vision` (the model accepts images), `contextWindow`, `maxTokens`. The harness declares',
    'these models to pi itself; the key reaches pi as an environment reference, never written to disk.',
    '',
    '## Where the harness keeps its state',
    '',
    'The run lock, the state and the run journals are not configurable: they live under the git common',
    "directory (`git rev-parse --git-common-dir`, normally `.git`), where neither an agent's `git clean",
    '-fdx` nor an `rm -rf` of the runtime directory reaches: `pi-harness/lock.json` (one lock per',
    'repository, shared by every work tree of it), `pi-harness/state.json` and `pi-harness/runs/<runId>/`',
    '(a linked work tree has its own under `pi-harness/worktrees/<name>/`). `activeRunFile` and',
    '`stateFile` name copies written for people and tools (projections); they are never read back.',
    'Everything under `piRuntimeDir` is rebuilt from the journals when it is deleted during a run.',
    '',
    'Every runtime file field above that points inside the repository but outside `piRuntimeDir` is',
    "the harness's own: it is listed in `.git/info/exclude`, never counted as a change or a dirty file,",
    'and never committed.',
    '',
  ].join('\n');
}
