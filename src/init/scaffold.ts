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
    `${repoRoot} is not inside a git repository. pi-harness commits each finished task, so it needs one: run \`git init\` (and commit once), then \`pi-harness init\` again.`,
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

export async function scaffold(options: InitOptions): Promise<InitResult> {
  const { repoRoot, force } = options;
  await assertGitWorkTree(repoRoot);
  const shown = (file: string) => {
    const relative = toRepoRelative(repoRoot, file);
    return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  };
  const steps: InitStep[] = [];

  const configFile = path.resolve(options.cwd, options.configFile ?? path.join(repoRoot, 'pi.config.json'));
  let testCommand: TestCommandGuess | undefined = await guessTestCommand(repoRoot);
  const configText = initialConfigText({
    schema: schemaReference(path.dirname(configFile)),
    testCommand: testCommand.command,
  });

  // The rest follows the config as the harness will read it, including a config the user kept. It
  // is validated (with the environment on top) before anything is written: an invalid one writes nothing.
  const writesConfig = force || !(await exists(configFile));
  const { config, warnings } = writesConfig
    ? configFromObject(JSON.parse(configText) as Record<string, unknown>, configFile, repoRoot, options.env)
    : await loadConfig({ repoRoot, cwd: options.cwd, configFile, env: options.env });

  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const backupDir = path.join(config.piRuntimeDir, 'init-backup', stamp);
  const backup = (file: string) => {
    const relative = toRepoRelative(repoRoot, file);
    return path.join(
      backupDir,
      relative.startsWith('..') || path.isAbsolute(relative) ? path.basename(file) : relative,
    );
  };

  const configOutcome = await writeScaffoldFile(configFile, configText, force, backup);
  if (configOutcome.action === 'kept') testCommand = undefined;
  const testNote = testCommand?.command
    ? `testCommand "${testCommand.command}" (${testCommand.reason})`
    : `testCommand left empty${testCommand ? ` (${testCommand.reason})` : ''}: verification will be skipped until you set it`;
  steps.push({
    path: shown(configFile),
    action: configOutcome.action,
    note: fileNote(configOutcome, force, testNote, shown),
  });

  const taskOutcome = await writeScaffoldFile(config.taskFile, EXAMPLE_TASKS, force, backup);
  steps.push({
    path: shown(config.taskFile),
    action: taskOutcome.action,
    note: fileNote(taskOutcome, force, 'two example tasks: replace them with yours', shown),
  });

  for (const role of ['developer', 'tester'] as const) {
    const target = resolveInstructionsFile(config, role);
    if (target.source === 'bundled') continue; // nothing to copy: the harness reads the template itself
    const template = await readFile(bundledTemplatePath(instructionKind(role)));
    const outcome = await writeScaffoldFile(target.path, template, force, backup);
    steps.push({
      path: shown(target.path),
      action: outcome.action,
      note: fileNote(outcome, force, `${role} instructions: the bundled template, yours to edit`, shown),
    });
  }

  const packageStep = await scaffoldPackageJson(repoRoot);
  if (packageStep) steps.push(packageStep);

  const excludeFile = shown(await gitPath(repoRoot, 'info/exclude'));
  const runtime = `/${toRepoRelative(repoRoot, config.piRuntimeDir)}/`;
  if (await excludeFromGit(repoRoot, config.piRuntimeDir)) {
    steps.push({
      path: excludeFile,
      action: 'updated',
      note: `added ${runtime}: the harness's runtime files stay out of git`,
    });
  } else {
    const inside = !toRepoRelative(repoRoot, config.piRuntimeDir).startsWith('..');
    steps.push({
      path: excludeFile,
      action: 'kept',
      note: inside ? `${runtime} already excluded` : 'the runtime dir is outside the repo; nothing to exclude',
    });
  }
  const dirty = new Set((await status(repoRoot)).map((entry) => entry.path));
  const scaffolded = steps
    .map((step) => step.path)
    .filter((file) => !path.isAbsolute(file) && !file.startsWith('.git/'));
  const uncommitted = scaffolded.filter((file) => dirty.has(file));
  return { repoRoot, configFile, config, steps, uncommitted, warnings, ...(testCommand ? { testCommand } : {}) };
}
