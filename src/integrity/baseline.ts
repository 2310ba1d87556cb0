/**
 * The test baseline of an iteration: the test files present at its start commit and, when the
 * last passing verification ran on that same tree, the counts its output reported. Plain data,
 * so the journal can record it as it is.
 */
import { globMatcher } from './test-globs.js';
import { parseTestSummary, type RecognisedSummary } from './summary/dispatch.js';

export interface TestFileRecord {
  readonly path: string;
  /** The blob's object id at the start commit. */
  readonly blob: string;
  readonly size: number;
  readonly nonEmpty: boolean;
}

export interface TestBaseline {
  /** The iteration's start commit; null on a branch without commits. */
  readonly commit: string | null;
  /** The start commit's tree; null on a branch without commits. */
  readonly tree: string | null;
  readonly testFiles: readonly TestFileRecord[];
  /** Counts of the last passing verification of this tree, when it had a summary the harness recognises. */
  readonly counts?: RecognisedSummary;
}

/** A verification that passed, and the tree it ran on. */
export interface PassingVerification {
  readonly tree: string;
  readonly output: string;
  /** Its output was capped and the head dropped. */
  readonly truncated?: boolean;
}

/** One blob of a tree listing (`git ls-tree -r -l`). */
export interface TreeBlob {
  readonly path: string;
  readonly blob: string;
  readonly size: number;
}

export interface BaselineInput {
  readonly commit: string | null;
  readonly tree: string | null;
  readonly blobs: readonly TreeBlob[];
  readonly testGlobs: readonly string[];
  readonly lastPassing?: PassingVerification;
}

export function buildBaseline(input: BaselineInput): TestBaseline {
  const isTest = globMatcher(input.testGlobs);
  const testFiles = input.blobs
    .filter((blob) => isTest(blob.path))
    .map((blob) => ({ path: blob.path, blob: blob.blob, size: blob.size, nonEmpty: blob.size > 0 }));
  const counts = baselineCounts(input.tree, input.lastPassing);
  return { commit: input.commit, tree: input.tree, testFiles, ...(counts === undefined ? {} : { counts }) };
}

/** The counts of `lastPassing` if it ran on `tree` and its output has a summary the harness recognises. */
export function baselineCounts(
  tree: string | null,
  lastPassing: PassingVerification | undefined,
): RecognisedSummary | undefined {
  if (tree === null || lastPassing === undefined || lastPassing.tree !== tree) return undefined;
  return parseTestSummary(lastPassing.output, { truncated: lastPassing.truncated === true });
}
