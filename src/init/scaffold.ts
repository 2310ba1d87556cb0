/**
 * `init`: scaffolds a repo for pi-harness without asking anything. Every step is idempotent: an
 * existing file is kept (unless `force`), package.json only gains scripts it lacks, and the
 * runtime dir goes into .git/info/exclude (never the user's .gitignore) once.
 */
import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configFromObject, loadConfig, type Config } from '../config/load.js';
import { bundledTemplatePath, instructionKind, resolveInstructionsFile } from '../prompts/templates.js';
import { toRepoRelative } from '../workspace/changes.js';
import { excludeFromGit } from '../workspace/exclude.js';
import { git, gitPath, status } from '../workspace/git.js';
import { EXAMPLE_TASKS, initialConfigText, schemaReference } from './content.js';
import { guessTestCommand, type TestCommandGuess } from './detect-test-command.js';
import { addNpmScripts } from './package-scripts.js';

export type StepAction = 'created' | 'overwritten' | 'kept' | 'updated' | 'skipped';

export interface InitStep {
  /** Repo-relative path (absolute when outside the repo). */
  path: string;
  action: StepAction;
  note: string;
}

export interface InitOptions {
  cwd: string;
  repoRoot: string;
  /** `--config` / PI_CONFIG_FILE: where the config goes; default `<repoRoot>/pi.config.json`. */
  configFile?: string;
  env: NodeJS.ProcessEnv;
  force: boolean;
}

export interface InitResult {
  repoRoot: string;
  configFile: string;
  config: Config;
  steps: InitStep[];
  /** The guess written into a new config; undefined when the config was kept. */
  testCommand?: TestCommandGuess;
  /** Scaffolded files git reports as new or modified: a run refuses a dirty tree until they are committed. */
  uncommitted: string[];
  /** Unknown keys in the config (a kept one can have typos); the CLI prints them. */
  warnings: string[];
}

/** The repo is not one `init` can set up (not a git work tree). */
export class InitError extends Error {
  override readonly name = 'InitError';
}

async function exists(file: string): Promise<boolean> {
  return (await lstat(file).catch(() => undefined)) !== undefined;
}

type WriteOutcome = { action: 'created' | 'kept' } | { action: 'overwritten'; backup: string };

/**
 * Writes `content` unless the file exists (or, with force, already holds exactly that). What
 * `--force` overwrites is copied first to `backup(file)`: a task list or instructions the user had
 * not committed yet are never lost.
 */
async function writeScaffoldFile(
  file: string,
  content: string | Buffer,
  force: boolean,
  backup: (file: string) => string,
): Promise<WriteOutcome> {
  if (await exists(file)) {
    if (!force) return { action: 'kept' };
    const current = await readFile(file);
    if (current.equals(Buffer.from(content))) return { action: 'kept' };
    const copy = backup(file);
    await mkdir(path.dirname(copy), { recursive: true });
    await writeFile(copy, current);
    await writeFile(file, content);
    return { action: 'overwritten', backup: copy };
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content, { flag: 'wx' });
  return { action: 'created' };
}

function fileNote(outcome: WriteOutcome, force: boolean, made: string, shown: (file: string) => string): string {
  if (outcome.action === 'overwritten') return `${made} (previous version saved to ${shown(outcome.backup)})`;
  if (outcome.action === 'created') return made;
  return force ? 'already identical' : '(--force overwrites it)';
}

async function assertGitWorkTree(repoRoot: string): Promise<void> {
  try {
    if ((await git(repoRoot, ['rev-parse', '--is-inside-work-tree'], { timeoutMs: 15_000 })).trim() === 'true') return;
  } catch {
    // reported below
  }
  throw new InitError(
    `${repoRoot} is not inside a git repository. pi-harness commits each finished task, so it needs one: ` +
      'run `git init` (and commit once), then `pi-harness init` again.',
  );
}

async function scaffoldPackageJson(repoRoot: string): Promise<InitStep | undefined> {
  const file = path.join(repoRoot, 'package.json');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const update = addNpmScripts(text);
  if (update.kind === 'skipped')
    return { path: 'package.json', action: 'skipped', note: `${update.reason}; scripts not added` };
  if (update.kind === 'unchanged')
    return { path: 'package.json', action: 'kept', note: `scripts ${update.kept.join(', ')} already there` };
  await writeFile(file, update.text);
  const kept = update.kept.length > 0 ? ` (kept your ${update.kept.join(', ')})` : '';
  return { path: 'package.json', action: 'updated', note: `added scripts ${update.added.join(', ')}${kept}` };
}

/** Shows a path relative to the repo when it lies inside it, else as it is. */
type ShowPath = (file: string) => string;

/** Writes `content` to `file` as one init step; `made` says what a written file is. */
type FileStep = (file: string, content: string | Buffer, made: string) => Promise<InitStep>;

export async function scaffold(options: InitOptions): Promise<InitResult> {
  const { repoRoot, force } = options;
  await assertGitWorkTree(repoRoot);
  const shown: ShowPath = (file) => {
    const relative = toRepoRelative(repoRoot, file);
    return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  };
  const plan = await planConfig(options);
  const { config, configFile } = plan;
  const backup = backupPlace(repoRoot, config.piRuntimeDir);
  const steps: InitStep[] = [];

  const configOutcome = await writeScaffoldFile(configFile, plan.text, force, backup);
  const testCommand = configOutcome.action === 'kept' ? undefined : plan.testCommand;
  steps.push({
    path: shown(configFile),
    action: configOutcome.action,
    note: fileNote(configOutcome, force, testCommandNote(testCommand), shown),
  });
  const fileStep: FileStep = async (file, content, made) => {
    const outcome = await writeScaffoldFile(file, content, force, backup);
    return { path: shown(file), action: outcome.action, note: fileNote(outcome, force, made, shown) };
  };
  steps.push(await fileStep(config.taskFile, EXAMPLE_TASKS, 'two example tasks: replace them with yours'));
  steps.push(...(await scaffoldInstructions(config, fileStep)));
  const packageStep = await scaffoldPackageJson(repoRoot);
  if (packageStep) steps.push(packageStep);
  steps.push(await excludeRuntimeDir(repoRoot, config.piRuntimeDir, shown));

  const uncommitted = await uncommittedSteps(repoRoot, steps);
  const warnings = plan.warnings;
  return { repoRoot, configFile, config, steps, uncommitted, warnings, ...(testCommand ? { testCommand } : {}) };
}

interface ConfigPlan {
  configFile: string;
  /** The config text a new config file gets. */
  text: string;
  testCommand: TestCommandGuess;
  /** The config as the harness will read it: the new one, or the one the user kept. */
  config: Config;
  warnings: string[];
}

async function planConfig(options: InitOptions): Promise<ConfigPlan> {
  const { repoRoot, force } = options;
  const configFile = path.resolve(options.cwd, options.configFile ?? path.join(repoRoot, 'pi.config.json'));
  const testCommand = await guessTestCommand(repoRoot);
  const text = initialConfigText({
    schema: schemaReference(path.dirname(configFile)),
    testCommand: testCommand.command,
  });
  // The rest follows the config as the harness will read it, including a config the user kept. It
  // is validated (with the environment on top) before anything is written: an invalid one writes nothing.
  const writesConfig = force || !(await exists(configFile));
  const { config, warnings } = writesConfig
    ? configFromObject(JSON.parse(text) as Record<string, unknown>, configFile, repoRoot, options.env)
    : await loadConfig({ repoRoot, cwd: options.cwd, configFile, env: options.env });
  return { configFile, text, testCommand, config, warnings };
}

/** Where `--force` keeps what it overwrites: a timestamped directory under the runtime dir. */
function backupPlace(repoRoot: string, runtimeDir: string): (file: string) => string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const backupDir = path.join(runtimeDir, 'init-backup', stamp);
  return (file) => {
    const relative = toRepoRelative(repoRoot, file);
    return path.join(
      backupDir,
      relative.startsWith('..') || path.isAbsolute(relative) ? path.basename(file) : relative,
    );
  };
}

function testCommandNote(guess: TestCommandGuess | undefined): string {
  if (guess?.command) return `testCommand "${guess.command}" (${guess.reason})`;
  const why = guess ? ` (${guess.reason})` : '';
  return `testCommand left empty${why}: verification will be skipped until you set it`;
}

/** Copies the bundled role instructions where the config points outside the bundle. */
async function scaffoldInstructions(config: Config, fileStep: FileStep): Promise<InitStep[]> {
  const steps: InitStep[] = [];
  for (const role of ['developer', 'tester'] as const) {
    const target = resolveInstructionsFile(config, role);
    if (target.source === 'bundled') continue; // nothing to copy: the harness reads the template itself
    const template = await readFile(bundledTemplatePath(instructionKind(role)));
    steps.push(await fileStep(target.path, template, `${role} instructions: the bundled template, yours to edit`));
  }
  return steps;
}

async function excludeRuntimeDir(repoRoot: string, runtimeDir: string, shown: ShowPath): Promise<InitStep> {
  const excludeFile = shown(await gitPath(repoRoot, 'info/exclude'));
  const runtime = `/${toRepoRelative(repoRoot, runtimeDir)}/`;
  if (await excludeFromGit(repoRoot, runtimeDir)) {
    return {
      path: excludeFile,
      action: 'updated',
      note: `added ${runtime}: the harness's runtime files stay out of git`,
    };
  }
  const inside = !toRepoRelative(repoRoot, runtimeDir).startsWith('..');
  return {
    path: excludeFile,
    action: 'kept',
    note: inside ? `${runtime} already excluded` : 'the runtime dir is outside the repo; nothing to exclude',
  };
}

/** Scaffolded files git reports as new or modified. */
async function uncommittedSteps(repoRoot: string, steps: readonly InitStep[]): Promise<string[]> {
  const dirty = new Set((await status(repoRoot)).map((entry) => entry.path));
  return steps
    .map((step) => step.path)
    .filter((file) => !path.isAbsolute(file) && !file.startsWith('.git/'))
    .filter((file) => dirty.has(file));
}
