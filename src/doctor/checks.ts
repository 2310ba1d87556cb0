/**
 * The preflight checks, in the order a person reads them: configuration, repository, the files
 * the agents read, pi and its Node, the models of every role, then the commands the harness runs.
 */
import { ignoredRootConfig, type Config } from '../config/load.js';
import { developerInstructionsCheck, taskFileCheck, testerInstructionsCheck } from './check-files.js';
import { gitRepositoryCheck, runLockCheck, workingTreeCheck } from './check-git.js';
import { modelChecks } from './check-models.js';
import { nodeCheck, piCliCheck } from './check-pi.js';
import { testCommandCheck, visualCaptureCheck } from './check-commands.js';
import { defineCheck, type Check } from './types.js';

export const configCheck = defineCheck('config', 'config', async ({ config }, report) => {
  const ignored = await ignoredRootConfig(config.repoRoot, config.configFile);
  if (ignored) {
    // Run from a subdirectory: the repo's config is there but would not be used.
    return report(
      'fail',
      `${ignored} is not read from this directory (only ./pi.config.json is): built-in defaults would be used`,
      `run pi-harness from ${config.repoRoot}, or pass --config ${ignored}`,
    );
  }
  if (config.configFile === null) {
    return report(
      'warn',
      'no pi.config.json: built-in defaults and environment variables only',
      'run `pi-harness init` to create one',
    );
  }
  return report('ok', `${config.configFile} (transport ${config.transport}, commitMode ${config.commitMode})`);
});

export function preflightChecks(config: Config): Check[] {
  return [
    configCheck,
    gitRepositoryCheck,
    runLockCheck,
    workingTreeCheck,
    taskFileCheck,
    developerInstructionsCheck,
    testerInstructionsCheck,
    nodeCheck,
    piCliCheck,
    ...modelChecks(config),
    testCommandCheck,
    ...(config.visualReviewEnabled ? [visualCaptureCheck] : []),
  ];
}
