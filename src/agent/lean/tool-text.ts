/**
 * Compact texts for pi's built-in tools. A tool's schema — its description and the description
 * of each parameter — is sent with every model request of a turn; pi's own texts are written for
 * every audience and repeat what its system prompt says again. These say what a model needs to
 * call the tool well, once, and nothing else: the harness's system prompt (src/prompts/system.ts)
 * holds no tool guidance of its own, so a role's tool list alone decides what it is told.
 *
 * Only the texts change: the loadout extension registers pi's own tool definitions (their
 * behaviour, argument preparation and validation) under the same names with these texts.
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
