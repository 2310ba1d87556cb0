/**
 * Role instructions: `developerInstructionsFile` / `testerInstructionsFile`, else the
 * legacy `instructionsFile`, else the template bundled with the package (templates/DEVELOPER.md,
 * templates/TESTER.md). A configured file that does not exist is a configuration error naming the
 * field and the path: silently falling back would run a whole night on the wrong instructions.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Role } from '../vocabulary/roles.js';
import type { Config } from '../config/load.js';
import { ConfigError } from '../config/errors.js';

/** Roles that take an instruction file; visual review has its own fixed prompt. */
export type InstructionRole = Exclude<Role, 'visualReview'>;
export type InstructionKind = 'developer' | 'tester';
export type InstructionSource = 'developerInstructionsFile' | 'testerInstructionsFile' | 'instructionsFile' | 'bundled';

export interface LoadedInstructions {
  text: string;
  /** Absolute path the text was read from. */
  path: string;
  /** Which setting supplied it (for logs and `doctor`). */
  source: InstructionSource;
}

export type InstructionConfig = Pick<
  Config,
  'developerInstructionsFile' | 'testerInstructionsFile' | 'instructionsFile' | 'repoRoot' | 'configFile'
>;

const TEMPLATE_FILE: Record<InstructionKind, string> = { developer: 'DEVELOPER.md', tester: 'TESTER.md' };
const SPECIFIC_FIELD = { developer: 'developerInstructionsFile', tester: 'testerInstructionsFile' } as const;
const ENV_NAME: Record<Exclude<InstructionSource, 'bundled'>, string> = {
  developerInstructionsFile: 'PI_DEVELOPER_INSTRUCTIONS_FILE',
  testerInstructionsFile: 'PI_TESTER_INSTRUCTIONS_FILE',
  instructionsFile: 'PI_INSTRUCTIONS_FILE',
};

export function instructionKind(role: InstructionRole): InstructionKind {
  return role === 'tester' || role === 'testerCommit' ? 'tester' : 'developer';
}

let templatesDir: string | undefined;

/**
 * `templates/` at the package root. This module is src/prompts/templates.ts in a checkout (tests)
 * and dist/prompts/templates.js in the package; both sit two levels below the root. Walking up
 * instead of hard-coding `../..` also survives a flatter build layout.
 */
export function bundledTemplatesDir(): string {
  if (templatesDir !== undefined) return templatesDir;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(candidate, TEMPLATE_FILE.developer))) {
      templatesDir = candidate;
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`pi-harness is incomplete: no bundled templates/ directory above ${fileURLToPath(import.meta.url)}`);
}

export function bundledTemplatePath(kind: InstructionKind): string {
  return path.join(bundledTemplatesDir(), TEMPLATE_FILE[kind]);
}

/** Which file a role reads, without reading it. */
export function resolveInstructionsFile(
  config: InstructionConfig,
  role: InstructionRole,
): { path: string; source: InstructionSource } {
  const kind = instructionKind(role);
  const field = SPECIFIC_FIELD[kind];
  for (const source of [field, 'instructionsFile'] as const) {
    const configured = config[source];
    if (configured !== undefined && configured.trim() !== '') {
      return { path: path.resolve(config.repoRoot, configured), source };
    }
  }
  return { path: bundledTemplatePath(kind), source: 'bundled' };
}

function instructionFileError(
  config: InstructionConfig,
  source: Exclude<InstructionSource, 'bundled'>,
  problem: string,
) {
  return new ConfigError([
    {
      source: config.configFile ?? `environment variable ${ENV_NAME[source]}`,
      field: source,
      expected: `an existing instruction file (${problem})`,
    },
  ]);
}

export async function loadInstructions(config: InstructionConfig, role: InstructionRole): Promise<LoadedInstructions> {
  const resolved = resolveInstructionsFile(config, role);
  const { source } = resolved;
  if (source !== 'bundled') {
    const info = await stat(resolved.path).catch(() => undefined);
    if (info === undefined) throw instructionFileError(config, source, `not found: ${resolved.path}`);
    if (!info.isFile()) throw instructionFileError(config, source, `not a regular file: ${resolved.path}`);
  }
  let text: string;
  try {
    text = await readFile(resolved.path, 'utf8');
  } catch (error) {
    const reason = `cannot read ${resolved.path}: ${(error as Error).message}`;
    if (source === 'bundled') throw new Error(`pi-harness is incomplete: ${reason}`);
    throw instructionFileError(config, source, reason);
  }
  return { text: text.replace(/^\uFEFF/, ''), ...resolved };
}
