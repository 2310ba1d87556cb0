/**
 * All integrity rules over one iteration: pure, from the baseline, the iteration's file changes,
 * the task and the verification output to the list of findings.
 */
import type { TestBaseline } from './baseline.js';
import { countFindings } from './count-findings.js';
import { deletionFindings, taskNamesFile } from './deletions.js';
import { languageOf } from './language.js';
import { addedMarkers } from './markers.js';
import { protectedFindings } from './protected-files.js';
import { parseTestSummary, type RecognisedSummary } from './summary/dispatch.js';
import { taskFileEditDetail } from './task-file.js';
import { declaresTests } from './test-declarations.js';
import { globMatcher, type PathMatcher } from './test-globs.js';
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
  const deletions = deletionFindings({
    baselineTestFiles: new Set(input.baseline.testFiles.map((file) => file.path)),
    isTestFile,
    changes: others,
    taskText,
  });
  const current = input.verification && parseTestSummary(input.verification.output, input.verification);
  const removalRequested = others.some(
    (change) => change.before !== undefined && isTestFile(change.path) && taskNamesFile(taskText, change.path),
  );
  const findings = [
    ...taskFileFindings(taskFileChange, input.task.id),
    ...protectedFindings(others, { ...options, packageManifest: input.packageManifest }),
    ...deletions,
    ...markerFindings(others, isTestFile),
    ...countFindings({
      baseline: input.baseline.counts,
      current,
      verified: input.verification !== undefined,
      removalRequested,
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

function taskFileFindings(change: FileChange | undefined, taskId: string): IntegrityFinding[] {
  if (change === undefined) return [];
  const opaque =
    (change.before !== undefined && change.before.text === undefined) ||
    (change.after !== undefined && change.after.text === undefined);
  if (opaque)
    return [
      { rule: 'task-file-edited', path: change.path, detail: 'the task file changed and is too large to compare' },
    ];
  const detail = taskFileEditDetail(change.before?.text, change.after?.text, taskId);
  return detail === undefined ? [] : [{ rule: 'task-file-edited', path: change.path, detail }];
}

/** Skip/only/todo markers on lines added to test files (or to any file that declares tests). */
function markerFindings(changes: readonly FileChange[], isTestFile: PathMatcher): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  for (const change of changes) {
    const after = change.after?.text;
    const language = languageOf(change.path);
    if (after === undefined || language === undefined) continue;
    if (!isTestFile(change.path) && !declaresTests(after, change.path)) continue;
    const added = addedMarkers(change.before?.text ?? '', after, language);
    if (added.length === 0) continue;
    const names = [...new Set(added.map((marker) => marker.marker))].join(', ');
    const example = added[0]!.line.length > 80 ? `${added[0]!.line.slice(0, 80)}…` : added[0]!.line;
    const detail = `${change.path}: added ${names} (${JSON.stringify(example)})`;
    findings.push({ rule: 'skip-marker-added', path: change.path, detail });
  }
  return findings;
}
