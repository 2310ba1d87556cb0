/**
 * The harness's own verification: the user's testCommand through their shell, in its own process
 * group, with a time limit and a cap on the output kept. Empty command: skipped (nothing ran).
 */
import { lastLines } from '../../verify/tail-buffer.js';
import type { Outcome, Step } from '../decide.js';
import { readTree, type IterationRun } from '../iteration-run.js';
import { readTesterDiffAhead } from '../tester-diff.js';
import { runTestCommand } from '../test-command.js';
import { turnLaunch } from './agent-turn.js';

export async function verifyStep(run: IterationRun, step: Extract<Step, { kind: 'verify' }>): Promise<Outcome> {
  const { config, journal } = run.services;
  const { iteration } = run.start;
  // Every turn after a verification starts a new session (the tester's, or developerFix's): pi
  // readies it while the tests run.
  run.services.transport.prewarm?.(turnLaunch(config, 'tester'));
  journal.append({ type: 'verification_start', iteration, after: step.after, command: config.testCommand });
  const result = await runTestCommand(run.services);
  run.state.lastVerification = result;
  const tail = lastLines(result.output, config.maxFailureArtifactLines).lines.join('\n');
  journal.append({
    type: 'verification',
    iteration,
    after: step.after,
    outcome: result.outcome,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    command: result.command,
    outputTail: result.outcome === 'passed' ? '' : tail,
    output: result.output,
  });
  const ranOn = run.state.tree.fingerprint;
  // The test command may write files (a build, a cache): the next step starts from what it left.
  if (result.outcome !== 'skipped') run.state.tree = await readTree(run);
  // The next iteration's integrity baseline comes from the last passing verification of its start
  // tree: the tree the tests ran on, and the one they left (what a commit takes).
  run.services.integrity.remember(ranOn, result);
  run.services.integrity.remember(run.state.tree.fingerprint, result);
  // A pass goes on to the tester (after the integrity checks), whose prompt carries this tree's diff.
  if (result.outcome === 'passed') readTesterDiffAhead(run);
  return { step: 'verify', result: result.outcome };
}
