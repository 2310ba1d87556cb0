/**
 * Which package.json scripts make up the test command: `test`, the scripts the configured test
 * command names (`npm run test:unit`, `pnpm check`, `yarn e2e`), everything they call in turn
 * (`npm run x`, `run-s a b`, `npm-run-all "test:*"`, `concurrently "npm:x"`) and the `pre`/`post`
 * hooks of each; and the files those commands run (`node scripts/run-tests.mjs`, `./test.sh`).
 */
import picomatch from 'picomatch';
import { isObject } from '../util/json.js';

export type Scripts = Readonly<Record<string, string>>;

/** The `scripts` of a package.json text; undefined when the text is not a JSON object. */
export function readScripts(manifest: string): Scripts | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const scripts = isObject(parsed.scripts) ? parsed.scripts : {};
  return Object.fromEntries(
    Object.entries(scripts).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** Words of a shell command line, quotes removed, split at whitespace and at `&&`, `||`, `;`, `|`. */
export function commandWords(command: string): string[] {
  return command
    .split(/&&|\|\||[;|\n]/)
    .flatMap((part) => part.trim().split(/\s+/))
    .map((word) => word.replace(/^['"]|['"]$/g, ''))
    .filter((word) => word !== '');
}

const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const RUNNERS_OF_MANY = new Set(['run-s', 'run-p', 'npm-run-all', 'npm-run-all2']);
/** Subcommands of the package managers that are not script names. */
const NOT_SCRIPTS = new Set(['install', 'i', 'ci', 'exec', 'dlx', 'x', 'add', 'remove', 'publish', 'pack', '--']);

/** Script names (or npm-run-all patterns) a command line runs. */
export function scriptsNamedBy(command: string): string[] {
  const words = commandWords(command);
  const names: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (RUNNERS_OF_MANY.has(word)) {
      for (let j = i + 1; j < words.length && !isCommandStart(words[j]!); j++) {
        if (!words[j]!.startsWith('-')) names.push(words[j]!);
      }
    } else if (word.startsWith('npm:')) {
      names.push(word.slice('npm:'.length)); // concurrently "npm:lint" "npm:test:*"
    } else if (PACKAGE_MANAGERS.has(word)) {
      const name = scriptAfterPackageManager(words, i + 1);
      if (name !== undefined) names.push(name);
    }
  }
  return names;
}

function isCommandStart(word: string): boolean {
  return PACKAGE_MANAGERS.has(word) || RUNNERS_OF_MANY.has(word);
}

function scriptAfterPackageManager(words: readonly string[], from: number): string | undefined {
  let i = from;
  while (i < words.length && words[i]!.startsWith('-')) i++;
  const sub = words[i];
  if (sub === undefined || NOT_SCRIPTS.has(sub)) return undefined;
  if (sub === 'test' || sub === 't' || sub === 'tst') return 'test';
  if (sub !== 'run' && sub !== 'run-script') return sub; // pnpm build, yarn e2e
  i++;
  while (i < words.length && words[i]!.startsWith('-')) i++;
  return words[i];
}

/** The scripts the test command runs, found from `test` and the command, with their hooks. */
export function testScriptClosure(scripts: Scripts, testCommand: string): Set<string> {
  const closure = new Set<string>();
  const pending = ['test', ...scriptsNamedBy(testCommand)];
  while (pending.length > 0) {
    const pattern = pending.pop()!;
    for (const name of matchingScripts(scripts, pattern)) {
      if (closure.has(name)) continue;
      closure.add(name);
      pending.push(`pre${name}`, `post${name}`, ...scriptsNamedBy(scripts[name] ?? ''));
    }
  }
  return closure;
}

function matchingScripts(scripts: Scripts, pattern: string): string[] {
  if (!/[*?[\]{}]/.test(pattern)) return Object.hasOwn(scripts, pattern) ? [pattern] : [];
  // npm-run-all treats ':' like a path separator in its patterns ("test:*").
  const matches = picomatch(pattern.replaceAll(':', '/'));
  return Object.keys(scripts).filter((name) => matches(name.replaceAll(':', '/')));
}

const SCRIPT_FILE = /\.(?:sh|bash|zsh|js|mjs|cjs|ts|mts|cts|py|rb|pl|ps1|bat|cmd)$/;

/**
 * Repository-relative files a command line runs or reads as configuration: words that are paths
 * (a `/` or a script extension), with `--flag=` prefixes and a leading `./` removed. Glob
 * patterns are not files and are left out.
 */
export function filesNamedBy(command: string): string[] {
  const files = new Set<string>();
  for (const word of commandWords(command)) {
    const value = word.startsWith('-') ? word.slice(word.indexOf('=') + 1) : word;
    if (word.startsWith('-') && !word.includes('=')) continue;
    if (value === '' || /[*?[\]{}$`]/.test(value) || /^[a-z]+:\/\//.test(value) || value.startsWith('/')) continue;
    if (!value.includes('/') && !SCRIPT_FILE.test(value)) continue;
    const file = value.replace(/^(?:\.\/)+/, '');
    if (file !== '' && !file.startsWith('../')) files.add(file);
  }
  return [...files];
}
