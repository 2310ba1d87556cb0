/**
 * The per-turn facts the guard inside pi needs (repository, git and runtime directories, mode,
 * lists, the iteration's start commit, its role). One warm pi process hosts many sessions over many
 * iterations, so launch-time environment is not enough: the harness rewrites this small JSON file
 * before each turn, and the environment only names it. The file lives under the git common
 * directory, which the guard itself forbids the agent to write.
 *
 * A missing or unreadable file fails safe: the guard enforces with what it can know without the
 * iteration's facts, and says why in every block.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { errorMessage } from '../util/errors.js';
import { checkGuardContext, guardContext, type GuardContext, type GuardContextInput } from './context-shape.js';

/** Names the context file in pi's environment. */
export const GUARD_CONTEXT_ENV = 'PI_HARNESS_GUARD_CONTEXT';
/** Names the JSONL file the guard appends its block records to. */
export const GUARD_LOG_ENV = 'PI_HARNESS_GUARD_LOG';

export type { GuardContext, GuardContextInput } from './context-shape.js';

export interface LoadedContext {
  context: GuardContext;
  /** Set when the file could not be used and the fail-safe defaults apply. */
  problem?: string;
}

/** Writes the context for the next turn (atomically: pi may read it at any moment). */
export async function writeGuardContext(file: string, context: GuardContextInput): Promise<void> {
  const parsed = guardContext(context);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(parsed, null, 2)}\n`);
}

/**
 * Reads the context named by the environment. `cwd` is pi's working directory: without a usable
 * file the guard assumes it is the repository root and that `.git` below it is the git directory.
 */
export function loadGuardContext(env: NodeJS.ProcessEnv, cwd: string): LoadedContext {
  const file = env[GUARD_CONTEXT_ENV];
  if (!file) return failSafe(cwd, `${GUARD_CONTEXT_ENV} is not set`);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    return failSafe(cwd, `the guard context ${file} cannot be read (${errorMessage(error)})`);
  }
  try {
    const parsed = checkGuardContext(JSON.parse(raw));
    if (parsed.ok) return { context: parsed.context };
    return failSafe(cwd, `the guard context ${file} is invalid (${parsed.problem})`);
  } catch (error) {
    return failSafe(cwd, `the guard context ${file} is not JSON (${errorMessage(error)})`);
  }
}

function failSafe(cwd: string, problem: string): LoadedContext {
  const root = realOrSelf(cwd);
  const gitDir = path.join(root, '.git');
  return {
    context: guardContext({ version: 1, mode: 'enforce', repoRoot: root, gitDir, gitCommonDir: gitDir }),
    problem: `${problem}; enforcing with defaults (no iteration facts: no commit counts as the iteration's own)`,
  };
}

export function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Where the harness keeps its guardrail files: under the git common directory, out of the agent's reach. */
export function guardDir(gitCommonDir: string): string {
  return path.join(gitCommonDir, 'pi-harness', 'guard');
}

/**
 * The guard's two files for one run (`runId`), under the git common directory (out of the agent's
 * reach): the context the harness rewrites before each turn, and the log the guard appends to.
 */
export function guardFiles(gitCommonDir: string, runId?: string): { context: string; log: string } {
  const dir = runId === undefined ? guardDir(gitCommonDir) : path.join(guardDir(gitCommonDir), 'runs', runId);
  return { context: path.join(dir, 'context.json'), log: path.join(dir, 'blocks.jsonl') };
}
