import type { CliIo } from '../io.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { InitError, scaffold, type InitResult, type StepAction } from '../../init/scaffold.js';
import { toRepoRelative } from '../../workspace/changes.js';
import { findRepoRoot } from '../../workspace/repo-root.js';

export interface InitCommandOptions {
  force: boolean;
  json: boolean;
  /** `--config FILE`: where the config is written. */
  configFile?: string;
}

const LABEL: Record<StepAction, string> = {
  created: 'created',
  overwritten: 'overwritten',
  updated: 'updated',
  kept: 'exists, kept',
  skipped: 'skipped',
};

function nextSteps(result: InitResult, cwd: string): string[] {
  const { config } = result;
  const steps: string[] = [];
  if (config.piModel === undefined && Object.keys(config.roleModels).length === 0) {
    steps.push(
      'Choose a model: add a "models" entry (baseUrl, apiKeyEnv) and set "piModel" to it, or name a model pi already knows (SETUP.md shows both).',
    );
  }
  if (config.testCommand.trim() === '')
    steps.push('Set "testCommand" to your fast test command (empty skips verification).');
  steps.push(
    `Write your tasks in ${toRepoRelative(result.repoRoot, config.taskFile)}: one small change per "- [ ]" line.`,
  );
  if (result.uncommitted.length > 0) {
    steps.push(
      `Commit the setup (a run refuses a dirty tree): git add ${result.uncommitted.join(' ')} && git commit -m "Set up pi-harness"`,
    );
  }
  steps.push('pi-harness doctor   checks git, tasks, pi, the model endpoints and the test command');
  steps.push('pi-harness once     runs one iteration on the first open task');
  if (cwd !== result.repoRoot) steps.push(`Run pi-harness from ${result.repoRoot}, where the config is.`);
  return steps;
}

/** `pi-harness init`: scaffold the repo, then say what was done and what to do next. Asks nothing. */
export async function runInit(io: CliIo, options: InitCommandOptions): Promise<ExitCode> {
  const repoRoot = await findRepoRoot(io.cwd);
  const configFile = options.configFile ?? (io.env.PI_CONFIG_FILE?.trim() || undefined);
  let result: InitResult;
  try {
    result = await scaffold({
      cwd: io.cwd,
      repoRoot,
      env: io.env,
      force: options.force,
      ...(configFile ? { configFile } : {}),
    });
  } catch (error) {
    if (!(error instanceof InitError)) throw error;
    io.stderr(`pi-harness init: ${error.message}\n`);
    return EXIT.usage;
  }
  const next = nextSteps(result, io.cwd);
  for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
  if (options.json) {
    const { repoRoot: root, configFile: file, steps, testCommand, uncommitted, warnings } = result;
    const document = {
      repoRoot: root,
      configFile: file,
      steps,
      testCommand: testCommand ?? null,
      uncommitted,
      warnings,
      nextSteps: next,
    };
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
    return EXIT.ok;
  }
  const width = Math.max(...result.steps.map((step) => step.path.length));
  io.stdout(`pi-harness init — ${result.repoRoot}\n\n`);
  for (const step of result.steps)
    io.stdout(`  ${LABEL[step.action].padEnd(12)} ${step.path.padEnd(width)}  ${step.note}\n`);
  io.stdout(`\nNext:\n${next.map((line, index) => `  ${index + 1}. ${line}`).join('\n')}\n`);
  return EXIT.ok;
}
