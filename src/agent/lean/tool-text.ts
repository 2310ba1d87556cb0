/**
 * Compact texts for pi's built-in tools. A tool's schema — its description and the description
 * of each parameter — is sent with every model request of a turn; pi's own texts are written for
 * every audience and repeat what its system prompt says again. These say what a model needs to
 * call the tool well, once, and nothing else: the harness's system prompt (src/prompts/system.ts)
 * holds no tool guidance of its own, so a role's tool list alone decides what it is told.
 *
 * Only the texts on the wire change: the loadout extension rewrites the tool entries of each
 * provider request (pi's `before_provider_request`), so pi's tools keep their behaviour, argument
 * preparation and validation. (Registering pi's tool definitions again from the extension would
 * do the same, but importing pi's modules into an extension gives pi a second copy of them: +50
 * MiB per pi, measured.) An entry is rewritten only when its parameters are the ones the text was
 * written for, so a tool another extension put under a built-in's name keeps its own text.
 */

/** Output limits of pi's tools (pi's DEFAULT_MAX_LINES / DEFAULT_MAX_BYTES), as the texts state them. */
export interface ToolLimits {
  maxLines: number;
  maxKb: number;
}

export interface ToolText {
  description: string;
  /** Parameter descriptions by path: `path`, `edits`, `edits[].oldText`... */
  parameters: Record<string, string>;
}

export function compactToolTexts(limits: ToolLimits): Record<string, ToolText> {
  const cap = `${limits.maxLines} lines or ${limits.maxKb} KB`;
  return {
    read: {
      description:
        `Read a file (text, or an image as an attachment); use this, not cat or sed. Output stops at ${cap}: ` +
        'read the part you need of a large file with offset/limit.',
      parameters: { path: 'File path', offset: 'First line to read (1-based)', limit: 'Number of lines to read' },
    },
    bash: {
      description: `Run a shell command in the repository root; returns stdout and stderr (the last ${cap}).`,
      parameters: { command: 'Shell command', timeout: 'Seconds before the command is killed (default: none)' },
    },
    edit: {
      description:
        'Replace exact text in an existing file. Put every change to one file in one call; each edits[].oldText ' +
        'is matched against the file as it was before the call.',
      parameters: {
        path: 'File path',
        edits: 'The replacements; they must not overlap',
        'edits[].oldText': 'Text to replace: exactly as in the file, occurring once, as short as keeps it unique',
        'edits[].newText': 'Replacement text',
      },
    },
    write: {
      description:
        'Create a file, or replace all of one (parent directories are created); to change part of a file use edit.',
      parameters: { path: 'File path', content: 'The whole content of the file' },
    },
    ls: {
      description: "List a directory: sorted, '/' after directories, dotfiles included, at most 500 entries.",
      parameters: { path: 'Directory (default: the repository root)', limit: 'Most entries to list' },
    },
    find: {
      description: `Find files by glob pattern (.gitignore respected); at most 1000 paths or ${limits.maxKb} KB.`,
      parameters: {
        pattern: "Glob pattern, e.g. '**/*.ts'",
        path: 'Directory to search (default: the repository root)',
        limit: 'Most paths to return',
      },
    },
    grep: {
      description: `Search file contents for a pattern (.gitignore respected); at most 100 matches or ${limits.maxKb} KB.`,
      parameters: {
        pattern: 'Regular expression, or literal text with literal: true',
        path: 'Directory or file to search (default: the repository root)',
        glob: "Only files matching this glob, e.g. '*.ts'",
        ignoreCase: 'Ignore case',
        literal: 'Treat the pattern as literal text',
        context: 'Lines of context around each match',
        limit: 'Most matches to return',
      },
    },
  };
}

type Schema = Record<string | symbol, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null;

/**
 * A copy of a parameter schema with the given descriptions (keys as in ToolText.parameters);
 * every other part — types, required lists, the schema library's own markers — is kept as it was.
 */
export function withParameterTexts<T>(schema: T, texts: Record<string, string>, prefix = ''): T {
  if (!isSchema(schema) || !isSchema(schema.properties)) return schema;
  const properties: Schema = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (!isSchema(property)) {
      properties[name] = property;
      continue;
    }
    const key = `${prefix}${name}`;
    const copy: Schema = { ...property };
    if (texts[key] !== undefined) copy.description = texts[key];
    if (isSchema(property.items)) copy.items = withParameterTexts(property.items, texts, `${key}[].`);
    properties[name] = copy;
  }
  return { ...schema, properties } as T;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** pi states its limits in its own texts ("... 2000 lines or 50KB ..."): read them from there. */
function limitsFrom(entries: readonly Json[]): ToolLimits {
  for (const entry of entries) {
    const match = /(\d+) lines or (\d+)\s*KB/i.exec(String(entry.description ?? ''));
    if (match) return { maxLines: Number(match[1]), maxKb: Number(match[2]) };
  }
  return { maxLines: 2000, maxKb: 50 };
}

/** The function declaration inside one provider tool entry: OpenAI chat, Bedrock, or the entry itself. */
function declarationOf(entry: Json): Json {
  if (isObject(entry.function)) return entry.function;
  if (isObject(entry.toolSpec)) return entry.toolSpec;
  return entry;
}

const SCHEMA_KEYS = ['parameters', 'input_schema', 'parametersJsonSchema'] as const;

/** The declaration with compact texts, or the same object when it is not one of ours. */
function compactDeclaration(declaration: Json, texts: Record<string, ToolText>): Json {
  const text = typeof declaration.name === 'string' ? texts[declaration.name] : undefined;
  if (!text || typeof declaration.description !== 'string') return declaration;
  const key = SCHEMA_KEYS.find((name) => isObject(declaration[name]));
  const schema = key
    ? (declaration[key] as Json)
    : isObject(declaration.inputSchema)
      ? declaration.inputSchema.json
      : undefined;
  const names = isObject(schema) && isObject(schema.properties) ? Object.keys(schema.properties) : [];
  const known = new Set(Object.keys(text.parameters).filter((name) => !name.includes('.')));
  if (names.some((name) => !known.has(name))) return declaration;
  const compact = withParameterTexts(schema, text.parameters);
  if (key) return { ...declaration, description: text.description, [key]: compact };
  return {
    ...declaration,
    description: text.description,
    inputSchema: { ...(declaration.inputSchema as Json), json: compact },
  };
}

function compactEntry(entry: unknown, texts: Record<string, ToolText>): unknown {
  if (!isObject(entry)) return entry;
  if (Array.isArray(entry.functionDeclarations))
    return {
      ...entry,
      functionDeclarations: entry.functionDeclarations.map((d) => (isObject(d) ? compactDeclaration(d, texts) : d)),
    };
  const declaration = declarationOf(entry);
  const compact = compactDeclaration(declaration, texts);
  if (compact === declaration) return entry;
  if (declaration === entry) return compact;
  return { ...entry, [isObject(entry.function) ? 'function' : 'toolSpec']: compact };
}

function compactTools(tools: unknown): unknown {
  if (!Array.isArray(tools)) return tools;
  const declarations = tools.filter(isObject).map(declarationOf);
  const texts = compactToolTexts(limitsFrom(declarations));
  return tools.map((entry) => compactEntry(entry, texts));
}

/**
 * A provider request with compact texts for pi's tools: the tool list of an OpenAI-style request
 * (`tools`), of Google's (`config.tools`) or of Bedrock's (`toolConfig.tools`). Anything else is
 * returned as it came.
 */
export function compactPayloadTools(payload: unknown): unknown {
  if (!isObject(payload)) return payload;
  let out = payload;
  if (Array.isArray(payload.tools)) out = { ...out, tools: compactTools(payload.tools) };
  for (const holder of ['config', 'toolConfig'] as const) {
    const inner = payload[holder];
    if (isObject(inner) && Array.isArray(inner.tools))
      out = { ...out, [holder]: { ...inner, tools: compactTools(inner.tools) } };
  }
  return out;
}
