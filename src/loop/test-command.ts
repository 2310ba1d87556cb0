/**
 * The user's testCommand as the harness runs it: through their shell, in the work tree, within the
 * verification timeout, with the output kept up to one cap. The iteration's verifications and the
 * integrity baseline's run at start both come through here, so the output the test counts are read
 * from is cut the same way on both sides of a comparison.
 */
import { type CommandResult, runCommand } from '../verify/run-command.js';
import type { IterationServices } from './iteration-run.js';

const VERIFICATION_OUTPUT_CAP = 256 * 1024;

export function runTestCommand(
  services: Pick<IterationServices, 'config' | 'childEnv' | 'signal'>,
): Promise<CommandResult> {
  const { config, childEnv, signal } = services;
  return runCommand({
    command: config.testCommand,
    cwd: config.repoRoot,
    timeoutSeconds: config.verificationTimeoutSeconds,
    maxOutputBytes: VERIFICATION_OUTPUT_CAP,
    env: childEnv,
    signal,
  });
}
