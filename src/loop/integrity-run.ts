/**
 * The integrity checks' memory across the iterations of one run, and each iteration's baseline.
 * Passing verifications are remembered by the content of the tree they ran on (the work tree's
 * fingerprint, task file left out: a tick changes no test), so an iteration's baseline counts come
 * from the last passing verification of its start tree — the previous iteration's, or the one
 * verification the run makes at its start when it knows none for that tree — and never from an
 * extra test run per iteration.
 */
import path from 'node:path';
import type { Config } from '../config/load.js';
import {
  defaultTestGlobs,
  type IntegrityOptions,
  type PassingVerification,
  parseTestSummary,
  recordTestBaseline,
  type TestBaseline,
} from '../integrity/index.js';
import type { BaselineCounts, BaselineSource } from '../journal/events.js';
import type { CommandResult } from '../verify/run-command.js';
import { toRepoRelative } from '../workspace/changes.js';
import { readTree, type IterationRun, type IterationServices } from './iteration-run.js';
import { runTestCommand } from './test-command.js';
import { startedAhead } from '../util/started-ahead.js';

/** Trees remembered; an iteration only ever asks for the tree it starts from. */
const REMEMBERED_TREES = 16;

/** A passing verification as the baseline reads it. */
function passing(tree: string, result: CommandResult): PassingVerification {
  return { tree, output: result.output, truncated: result.droppedBytes > 0 };
}

export class RunIntegrity {
  private readonly byTree = new Map<string, PassingVerification>();
  /** The run's one verification for a baseline, once asked for: the tree it runs on, and its end. */
  private starting: { fingerprint: string | undefined; done: Promise<void> } | undefined;

  /** A verification passed on the tree with this fingerprint. */
  remember(fingerprint: string | undefined, result: CommandResult): void {
    if (fingerprint === undefined || result.outcome !== 'passed') return;
    this.byTree.delete(fingerprint);
    this.byTree.set(fingerprint, passing(fingerprint, result));
    const oldest = this.byTree.keys().next().value;
    if (this.byTree.size > REMEMBERED_TREES && oldest !== undefined) this.byTree.delete(oldest);
  }

  find(fingerprint: string | undefined): PassingVerification | undefined {
    return fingerprint === undefined ? undefined : this.byTree.get(fingerprint);
  }

  /**
   * The run's one verification for a baseline: `verify` runs the first time it is asked for, never
   * again. An iteration asking while it runs, from the same tree — parallel workers starting
   * together — waits for it rather than going without counts. Says whether this call ran it.
   */
  async startVerification(fingerprint: string | undefined, verify: () => Promise<void>): Promise<boolean> {
    if (this.starting) {
      if (this.starting.fingerprint === fingerprint) await this.starting.done.catch(() => undefined);
      return false;
    }
    const done = verify();
    this.starting = { fingerprint, done };
    await done;
    return true;
  }
}

/** A path of the configuration as the checks name it: repository-relative, or nothing when outside the repository. */
function inRepository(repoRoot: string, file: string | null | undefined): string | undefined {
  if (!file) return undefined;
  const relative = toRepoRelative(repoRoot, path.resolve(repoRoot, file));
  return relative === '' || relative.startsWith('../') || path.isAbsolute(relative) ? undefined : relative;
}

/** What the checks need from the configuration read at run start. */
export function integrityOptions(config: Config): IntegrityOptions {
  const instructionFiles = [config.developerInstructionsFile, config.testerInstructionsFile, config.instructionsFile]
    .map((file) => inRepository(config.repoRoot, file))
    .filter((file) => file !== undefined);
  const harnessConfigFile = inRepository(config.repoRoot, config.configFile);
  return {
    testGlobs: config.testGlobs ?? defaultTestGlobs(),
    protectedPaths: config.protectedPaths,
    ...(harnessConfigFile === undefined ? {} : { harnessConfigFile }),
    instructionFiles: [...new Set(instructionFiles)],
    taskFile: toRepoRelative(config.repoRoot, config.taskFile),
    testCommand: config.testCommand,
    allow: config.integrityAllow,
  };
}

/**
 * The run's one verification for a baseline, of the tree with `fingerprint` in the configuration's
 * work tree: journaled for `iteration`, run, remembered when it passes; `afterRun` follows within the
 * same wait. Undefined when another call runs it (or ran it); that call's waiters wait for it here.
 */
export async function verifyStartOnce(
  services: Pick<IterationServices, 'config' | 'childEnv' | 'signal' | 'journal' | 'integrity'>,
  target: { fingerprint: string | undefined; iteration: number },
  afterRun?: () => Promise<void>,
): Promise<CommandResult | undefined> {
  const { config, journal, integrity } = services;
  let result: CommandResult | undefined;
  await integrity.startVerification(target.fingerprint, async () => {
    journal.append({ type: 'integrity_baseline_start', iteration: target.iteration, command: config.testCommand });
    result = await runTestCommand(services);
    integrity.remember(target.fingerprint, result);
    await afterRun?.();
  });
  return result;
}

/** The verification the run makes at its start, when no passing one of the start tree is known. */
async function verifyAtStart(run: IterationRun): Promise<CommandResult | undefined> {
  if (run.services.config.testCommand.trim() === '') return undefined;
  const target = { fingerprint: run.state.tree.fingerprint, iteration: run.start.iteration };
  return verifyStartOnce(run.services, target, async () => {
    // The test command may write files (a build, a cache): the developer's turn starts from what it left.
    run.state.tree = await readTree(run);
  });
}

function countsOf(baseline: TestBaseline): BaselineCounts | undefined {
  if (baseline.counts === undefined) return undefined;
  const { runner, counts, complete } = baseline.counts;
  const { run, passed, failed, skipped, todo, unit } = counts;
  return { runner, run, passed, failed, skipped, todo, unit, complete };
}

/**
 * The test files of the iteration's start commit. A commit never changes, so the iteration starts
 * reading them before its snapshot is taken (`recordIterationBaseline` awaits them, and reports a
 * failure then).
 */
export function readStartTestFiles(config: Config, startCommit: string): Promise<TestBaseline> {
  return startedAhead(
    recordTestBaseline({ cwd: config.repoRoot, commit: startCommit, testGlobs: integrityOptions(config).testGlobs }),
  );
}

/**
 * Records the iteration's baseline (test files of its start commit, counts of the last passing
 * verification of its start tree) and journals it. Nothing when the checks are off.
 */
export async function recordIterationBaseline(
  run: IterationRun,
  testFiles?: Promise<TestBaseline>,
): Promise<TestBaseline | undefined> {
  const { config, journal, integrity } = run.services;
  if (config.integrity === 'off') return undefined;
  const fingerprint = run.state.tree.fingerprint;
  const known = integrity.find(fingerprint);
  const atStart = known === undefined ? await verifyAtStart(run) : undefined;
  const lastPassing = known ?? integrity.find(fingerprint);
  const files = await (testFiles ?? readStartTestFiles(config, run.start.startCommit));
  // The fingerprint already says this verification ran on the start tree.
  const counts = lastPassing && parseTestSummary(lastPassing.output, { truncated: lastPassing.truncated === true });
  const baseline: TestBaseline = { ...files, ...(counts === undefined ? {} : { counts }) };
  const source: BaselineSource = counts === undefined ? 'none' : known ? 'verification' : 'run_start';
  const journaled = countsOf(baseline);
  journal.append({
    type: 'integrity_baseline',
    iteration: run.start.iteration,
    commit: baseline.commit,
    testFiles: baseline.testFiles.length,
    ...(journaled ? { counts: journaled } : {}),
    source,
    ...(atStart
      ? {
          verification: {
            outcome: atStart.outcome,
            exitCode: atStart.exitCode,
            durationMs: atStart.durationMs,
            command: atStart.command,
          },
        }
      : {}),
  });
  return baseline;
}
