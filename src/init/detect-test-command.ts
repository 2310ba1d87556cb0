/**
 * A first guess at the repo's fast verification command, from the files that declare one. The
 * guess is written into pi.config.json where the user sees it and can change it; a wrong guess
 * fails loudly in `doctor`, an empty one only skips verification.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isPlaceholderTestScript } from '../doctor/npm-script.js';

export interface TestCommandGuess {
  /** Empty when nothing was recognised. */
  command: string;
  /** Why, in a few words, for the output of `init`. */
  reason: string;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

async function fromPackageJson(root: string): Promise<TestCommandGuess | undefined> {
  const text = await readText(path.join(root, 'package.json'));
  if (text === undefined) return undefined;
  let test: unknown;
  try {
    test = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts?.test;
  } catch {
    return undefined;
  }
  // npm init's placeholder always fails: guessing it would fail every iteration's verification.
  if (typeof test !== 'string' || test.trim() === '' || isPlaceholderTestScript(test)) return undefined;
  // Use the package manager the lockfile says the repo uses.
  const runner = (await exists(path.join(root, 'pnpm-lock.yaml')))
    ? 'pnpm'
    : (await exists(path.join(root, 'yarn.lock')))
      ? 'yarn'
      : 'npm';
  return { command: `${runner} test`, reason: 'package.json has a test script' };
}

async function fromMakefile(root: string): Promise<TestCommandGuess | undefined> {
  for (const name of ['GNUmakefile', 'Makefile', 'makefile']) {
    const text = await readText(path.join(root, name));
    if (text !== undefined && /^test\s*:(?!=)/m.test(text))
      return { command: 'make test', reason: `${name} has a test target` };
  }
  return undefined;
}

async function fromPytest(root: string): Promise<TestCommandGuess | undefined> {
  const markers: [file: string, pattern: RegExp | undefined][] = [
    ['pytest.ini', undefined],
    ['pyproject.toml', /^\[tool\.pytest\.ini_options\]/m],
    ['setup.cfg', /^\[tool:pytest\]/m],
    ['tox.ini', /^\[pytest\]/m],
    ['conftest.py', undefined],
  ];
  for (const [file, pattern] of markers) {
    const text = await readText(path.join(root, file));
    if (text !== undefined && (pattern === undefined || pattern.test(text))) {
      return { command: 'pytest -q', reason: `${file} configures pytest` };
    }
  }
  return undefined;
}

async function fromMarker(root: string, file: string, command: string): Promise<TestCommandGuess | undefined> {
  return (await exists(path.join(root, file))) ? { command, reason: `${file} found` } : undefined;
}

export async function guessTestCommand(root: string): Promise<TestCommandGuess> {
  const guess =
    (await fromPackageJson(root)) ??
    (await fromMakefile(root)) ??
    (await fromPytest(root)) ??
    (await fromMarker(root, 'Cargo.toml', 'cargo test')) ??
    (await fromMarker(root, 'go.mod', 'go test ./...'));
  if (guess) return guess;
  const script = await readText(path.join(root, 'package.json'))
    .then((text) =>
      text === undefined ? undefined : (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts?.test,
    )
    .catch(() => undefined);
  if (typeof script === 'string' && isPlaceholderTestScript(script)) {
    return { command: '', reason: "package.json's test script is npm's placeholder, which always fails" };
  }
  return {
    command: '',
    reason:
      'no test setup recognised (package.json test script, Makefile test target, pytest config, Cargo.toml, go.mod)',
  };
}
