/**
 * Finding the program a configured command starts, without running it: `which` for a PATH name,
 * a stat for a path. Commands run through the user's shell, so shell builtins count as found.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/** Builtins and keywords a command may start with in any POSIX shell. */
const SHELL_WORDS = new Set([
  '.',
  ':',
  '[',
  'alias',
  'builtin',
  'cd',
  'command',
  'eval',
  'exec',
  'exit',
  'export',
  'false',
  'for',
  'if',
  'set',
  'source',
  'test',
  'time',
  'true',
  'ulimit',
  'umask',
  'unset',
  'until',
  'while',
  '(',
  '{',
  '!',
]);

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path `name` runs as: a name with a slash is a path (relative to `cwd`), anything
 * else is looked up on the PATH of `env`. Undefined when nothing executable is there.
 */
export async function findExecutable(
  name: string,
  options: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<string | undefined> {
  if (name.includes('/')) {
    const file = path.resolve(options.cwd, name);
    return (await isExecutableFile(file)) ? file : undefined;
  }
  for (const dir of (options.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.resolve(options.cwd, dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Drops one level of simple quoting: `'my tool'` and `"my tool"` both name `my tool`. */
function unquote(word: string): string {
  const first = word[0];
  if ((first === '"' || first === "'") && word.endsWith(first) && word.length >= 2) return word.slice(1, -1);
  return word;
}

/**
 * The program a shell command line starts: the first word after any `NAME=value` assignments.
 * A deliberately small reading of shell syntax — enough for `npm test`, `FOO=1 make check` or
 * `"./scripts/run tests.sh"`; anything cleverer is the shell's business and counts as a builtin.
 */
export function commandProgram(command: string): { program: string; builtin: boolean } | undefined {
  const words = command.trim().match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const first = words.find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  if (first === undefined) return undefined;
  const program = unquote(first);
  const builtin = SHELL_WORDS.has(program) || /[$`()<>|;&]/.test(program);
  return { program, builtin };
}
