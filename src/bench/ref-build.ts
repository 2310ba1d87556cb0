/**
 * Another commit's pi-harness, built to run the bench beside this checkout's (`--compare REF`):
 * REF's tree is exported (`git archive`, so the repository's own worktree list is untouched) into a
 * temporary directory, installed there with `npm ci` and built with its own `npm run build`. A
 * directory given with `--ref-dir` is reused when it already holds a complete build of the same
 * commit (its marker file says so), which saves minutes between bench runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HarnessBuild } from './run-once.js';

const MARKER = '.pi-harness-bench-ref';
/** npm ci of a fresh tree downloads the project's Node: minutes on a slow line, never forever. */
const STEP_TIMEOUT_MS = 20 * 60_000;

export interface PreparedRef {
  build: HarnessBuild;
  commit: string;
  dir: string;
  /** Removes the directory unless it was given by the caller. */
  dispose(): Promise<void>;
}

/** The checkout this bench runs from (dist/bench/ → the package root). */
export function packageRoot(): string {
  return fileURLToPath(new URL('../..', import.meta.url));
}

interface StepResult {
  code: number | null;
  output: string;
}

/** Runs one command (an argument array, never a shell string), optionally piping another into it. */
function run(
  command: string,
  args: readonly string[],
  cwd: string,
  input?: NodeJS.ReadableStream,
): Promise<StepResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (input && child.stdin) input.pipe(child.stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
    child.on('error', (error) => {
      output += `\n${error.message}`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function must(what: string, step: Promise<StepResult>): Promise<string> {
  const result = await step;
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.output.trim()}`);
  return result.output;
}

async function resolveCommit(root: string, ref: string): Promise<string> {
  const output = await must(`git rev-parse ${ref}`, run('git', ['rev-parse', '--verify', `${ref}^{commit}`], root));
  return output.trim();
}

/** git archive REF | tar -x: REF's committed tree, nothing of this checkout's work in progress. */
async function exportTree(root: string, commit: string, dir: string): Promise<void> {
  const archive = spawn('git', ['archive', '--format=tar', commit], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const extracted = run('tar', ['-x', '-f', '-', '-C', dir], dir, archive.stdout);
  const archived = new Promise<number | null>((resolve) => archive.on('close', resolve));
  const [code, tar] = await Promise.all([archived, extracted]);
  if (code !== 0 || tar.code !== 0) throw new Error(`exporting ${commit} failed: ${tar.output.trim()}`);
}

function builtHere(dir: string, commit: string): boolean {
  try {
    return readFileSync(path.join(dir, MARKER), 'utf8').trim() === commit && existsSync(cliOf(dir));
  } catch {
    return false;
  }
}

const cliOf = (dir: string) => path.join(dir, 'dist', 'cli', 'main.js');

export async function prepareRef(
  ref: string,
  options: { dir?: string; log: (line: string) => void },
): Promise<PreparedRef> {
  const root = packageRoot();
  const commit = await resolveCommit(root, ref);
  const label = commit.startsWith(ref) ? commit.slice(0, 7) : `${ref} (${commit.slice(0, 7)})`;
  const given = options.dir !== undefined;
  const dir = given ? path.resolve(options.dir!) : await mkdtemp(path.join(tmpdir(), 'pi-harness-bench-ref-'));
  const dispose = async () => {
    if (!given) await rm(dir, { recursive: true, force: true });
  };
  const build = { label, cli: cliOf(dir) };
  if (given && builtHere(dir, commit)) {
    options.log(`bench: reusing the build of ${label} in ${dir}`);
    return { build, commit, dir, dispose };
  }
  try {
    await mkdir(dir, { recursive: true });
    // Never empties a directory it did not make: a given one must be empty or one of its own.
    if (given && readdirSync(dir).length > 0 && !existsSync(path.join(dir, MARKER)))
      throw new Error(`--ref-dir ${dir} is neither empty nor a bench build; choose another directory`);
    if (given) for (const entry of readdirSync(dir)) await rm(path.join(dir, entry), { recursive: true, force: true });
    options.log(`bench: building ${label} in ${dir} (git archive, npm ci, npm run build)…`);
    await exportTree(root, commit, dir);
    await must('npm ci', run('npm', ['ci', '--no-audit', '--no-fund'], dir));
    await must('npm run build', run('npm', ['run', 'build'], dir));
    await writeFile(path.join(dir, MARKER), `${commit}\n`);
    return { build, commit, dir, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
