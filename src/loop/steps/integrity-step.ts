/**
 * The integrity checks as a step of the iteration: after a passing verification, what the
 * iteration changed (committed or not) is compared with its start — test files deleted, emptied or
 * skipped, fewer tests run than the baseline, protected files edited — and each finding journaled.
 * What the findings lead to (a repair, a failure, a flagged commit) decide.ts decides.
 */
import {
  checkIntegrity,
  type IntegrityInput,
  readIterationChanges,
  readTextAtCommit,
  type TestBaseline,
} from '../../integrity/index.js';
import type { Outcome } from '../decide.js';
import { integrityOptions } from '../integrity-run.js';
import type { IterationRun } from '../iteration-run.js';

/** An iteration that began without a baseline (never expected while the checks are on) compares files only. */
function baselineOf(run: IterationRun): TestBaseline {
  return run.start.baseline ?? { commit: run.start.startCommit, tree: null, testFiles: [] };
}

async function inputOf(run: IterationRun): Promise<IntegrityInput> {
  const { config } = run.services;
  const { start, state } = run;
  const verification = state.lastVerification;
  const ran = verification !== undefined && verification.outcome !== 'skipped';
  const changes = await readIterationChanges({
    cwd: config.repoRoot,
    startCommit: start.startCommit,
    paths: state.tree.changes.all,
  });
  const packageManifest = await readTextAtCommit(config.repoRoot, start.startCommit, 'package.json');
  return {
    baseline: baselineOf(run),
    changes,
    task: { id: start.task.id, text: start.task.text, details: start.task.details },
    ...(ran ? { verification: { output: verification.output, truncated: verification.droppedBytes > 0 } } : {}),
    ...(packageManifest === undefined ? {} : { packageManifest }),
  };
}

export async function integrityStep(run: IterationRun): Promise<Outcome> {
  const { config, journal } = run.services;
  const { state } = run;
  const { findings } = checkIntegrity(await inputOf(run), integrityOptions(config));
  state.integrityChecks += 1;
  state.integrityFindings = findings;
  const check = state.integrityChecks;
  const { iteration } = run.start;
  const mode = config.integrity;
  for (const finding of findings) journal.append({ type: 'integrity_finding', iteration, check, mode, ...finding });
  journal.append({ type: 'integrity_check', iteration, check, mode, findings: findings.length });
  return { step: 'integrity', findings };
}
