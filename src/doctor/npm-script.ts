/**
 * `npm test` and friends fail in two common ways before any test runs: the script does not exist,
 * or it is the placeholder `npm init` writes, which always fails. Both are worth saying up front
 * rather than after the first iteration's verification.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const RUNNERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);

/** The script `npm test` (or `pnpm run lint`, ...) would run; undefined for other commands. */
export function npmScriptOf(command: string): { runner: string; script: string } | undefined {
  const words = command.trim().split(/\s+/);
  const runner = path.basename(words[0] ?? '');
  if (!RUNNERS.has(runner)) return undefined;
  const [verb, name] = [words[1], words[2]];
  if (verb === 'test' || verb === 't')
    return runner === 'bun' && verb === 'test' ? undefined : { runner, script: 'test' };
  if ((verb === 'run' || verb === 'run-script') && name && !name.startsWith('-')) return { runner, script: name };
  return undefined;
}

/** What `npm init` puts in `scripts.test`: it prints an error and exits 1. */
export function isPlaceholderTestScript(script: string): boolean {
  return /no test specified/.test(script) && /exit 1/.test(script);
}

export type ScriptProblem = { kind: 'no-package-json' } | { kind: 'missing' } | { kind: 'placeholder' };

/** Whether `script` in `<dir>/package.json` exists and is a real command. */
export async function checkNpmScript(dir: string, script: string): Promise<ScriptProblem | undefined> {
  let scripts: unknown;
  try {
    scripts = (JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { scripts?: unknown }).scripts;
  } catch {
    return { kind: 'no-package-json' };
  }
  const value =
    typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>)[script] : undefined;
  if (typeof value !== 'string') return { kind: 'missing' };
  if (script === 'test' && isPlaceholderTestScript(value)) return { kind: 'placeholder' };
  return undefined;
}
