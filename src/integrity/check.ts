/**
 * All integrity rules over one iteration: pure, from the baseline, the iteration's file changes,
 * the task and the verification output to the list of findings.
 */
import type { TestBaseline } from './baseline.js';
import { countFindings } from './count-findings.js';
import { deletionFindings, requestedRemovals } from './deletions.js';
import { markerFindings } from './markers.js';
import { protectedFindings } from './protected-files.js';
import { parseTestSummary, type RecognisedSummary } from './summary/dispatch.js';
import { taskFileFindings } from './task-file.js';
import { globMatcher } from './test-globs.js';
import { isAllowed } from './allow.js';
import type { FileChange, IntegrityFinding } from './types.js';

export interface IntegrityOptions {
  /** Globs of the test files (repository-relative); see defaultTestGlobs(). */
  readonly testGlobs: readonly string[];
  /** More globs of files the agent must not edit. */
  readonly protectedPaths: readonly string[];
  /** Repository-relative path of the harness configuration file, when it lies in the repository. */
  readonly harnessConfigFile?: string;
  /** Repository-relative paths of the role instruction files that lie in the repository. */
  readonly instructionFiles: readonly string[];
  /** Repository-relative path of the task file. */
  readonly taskFile: string;
  /** The configured test command ('' when none). */
  readonly testCommand: string;
  /** Findings the user accepts: `rule` or `rule:glob` (see allow.ts). */
  readonly allow?: readonly string[];
}

/** The task the iteration works on, as read at its start. */
export interface CurrentTask {
  readonly id: string;
  readonly text: string;
  /** The lines under the task (notes, sub-items). */
  readonly details: readonly string[];
}

export interface IntegrityInput {
  readonly baseline: TestBaseline;
  /** Every path the iteration changed (committed or not), pre-dirty and harness files excluded. */
  readonly changes: readonly FileChange[];
  readonly task: CurrentTask;
  /** The output of the iteration's verification; absent when no test command ran. */
  readonly verification?: { readonly output: string; readonly truncated?: boolean };
  /** The root package.json as it was at the start, if there was one. */
  readonly packageManifest?: string;
}

export interface IntegrityResult {
  readonly findings: IntegrityFinding[];
  /** The counts read from the verification output, for the journal and the next baseline. */
  readonly counts?: RecognisedSummary;
}

export function checkIntegrity(input: IntegrityInput, options: IntegrityOptions): IntegrityResult {
  const isTestFile = globMatcher(options.testGlobs);
  const taskText = [input.task.text, ...input.task.details].join('\n');
  const { taskFileChange, others } = splitTaskFile(input.changes, options.taskFile);
  const deletionContext = {
    baselineTestFiles: new Set(input.baseline.testFiles.map((file) => file.path)),
    isTestFile,
    changes: others,
    taskText,
  };
  const current = input.verification && parseTestSummary(input.verification.output, input.verification);
  const findings = [
    ...taskFileFindings(taskFileChange, input.task.id),
    ...protectedFindings(others, { ...options, packageManifest: input.packageManifest }),
    ...deletionFindings(deletionContext),
    ...markerFindings(others, isTestFile),
    ...countFindings({
      baseline: input.baseline.counts,
      current,
      verified: input.verification !== undefined,
      removalRequested: requestedRemovals(deletionContext).length > 0,
    }),
  ];
  const kept = findings.filter((finding) => !isAllowed(finding, options.allow ?? []));
  return { findings: kept, ...(current === undefined ? {} : { counts: current }) };
}

function splitTaskFile(changes: readonly FileChange[], taskFile: string) {
  return {
    taskFileChange: changes.find((change) => change.path === taskFile),
    others: changes.filter((change) => change.path !== taskFile),
  };
}
