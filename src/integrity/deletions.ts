/**
 * Test files present at the iteration start that are gone or emptied at its end, unless their
 * tests went somewhere else (a rename, a split, a merge into another test file) or the task's
 * own text names the file.
 */
import path from 'node:path';
import { isNamedLikeATest, type PathMatcher } from './test-globs.js';
import { testNames } from './test-declarations.js';
import type { FileChange, IntegrityFinding } from './types.js';

/** Share of a removed file's lines that must reappear in other test files for it to count as moved. */
const SIMILARITY_THRESHOLD = 0.5;

export interface DeletionContext {
  /** Paths of the test files present at the start. */
  readonly baselineTestFiles: ReadonlySet<string>;
  readonly isTestFile: PathMatcher;
  readonly changes: readonly FileChange[];
  /** The current task's text and the lines under it. */
  readonly taskText: string;
}

interface Removal {
  readonly change: FileChange;
  readonly rule: 'test-file-deleted' | 'test-file-emptied';
  readonly beforeNames: readonly string[];
}

/** Test files of the baseline that the iteration deleted or emptied (before any exception applies). */
function removals(context: DeletionContext): Removal[] {
  const found: Removal[] = [];
  for (const change of context.changes) {
    if (!context.baselineTestFiles.has(change.path) || change.before === undefined) continue;
    const beforeText = change.before.text;
    const beforeNames = beforeText === undefined ? [] : testNames(beforeText, change.path);
    // A helper or fixture under a test directory holds no tests: removing it removes none.
    if (beforeNames.length === 0 && !isNamedLikeATest(change.path)) continue;
    if (change.after === undefined) found.push({ change, rule: 'test-file-deleted', beforeNames });
    else if (emptied(change, beforeNames)) found.push({ change, rule: 'test-file-emptied', beforeNames });
  }
  return found;
}

/** Test files deleted or emptied because the task's text names them: fewer tests are expected then. */
export function requestedRemovals(context: DeletionContext): string[] {
  return removals(context)
    .filter((removal) => taskNamesFile(context.taskText, removal.change.path))
    .map((removal) => removal.change.path);
}

export function deletionFindings(context: DeletionContext): IntegrityFinding[] {
  return removals(context)
    .filter(({ change, beforeNames }) => {
      if (taskNamesFile(context.taskText, change.path)) return false;
      return !testsMovedElsewhere(change, beforeNames, context);
    })
    .map(removalFinding);
}

function removalFinding({ change, rule, beforeNames }: Removal): IntegrityFinding {
  const count = beforeNames.length;
  const held = count > 0 ? `, which held ${count} test${count === 1 ? '' : 's'}` : '';
  const what = rule === 'test-file-deleted' ? 'was deleted' : 'was emptied of its tests';
  return { rule, path: change.path, detail: `${change.path}${held}, ${what}` };
}

function emptied(change: FileChange, beforeNames: readonly string[]): boolean {
  const after = change.after;
  if (after === undefined) return false;
  if (after.size === 0) return true;
  if (after.text === undefined) return false;
  if (after.text.trim() === '') return true;
  return beforeNames.length > 0 && testNames(after.text, change.path).length === 0;
}

/**
 * Whether the tests of the removed or emptied file now live in other test files (a rename, a
 * split, a merge into an existing file): every test it declared is newly declared in a changed
 * test file, and most of its lines were added there (so renamed tests with emptied bodies do not
 * count as kept).
 */
function testsMovedElsewhere(change: FileChange, beforeNames: readonly string[], context: DeletionContext): boolean {
  const destinations = context.changes.filter(
    (other) => other.path !== change.path && other.after !== undefined && context.isTestFile(other.path),
  );
  const beforeText = change.before?.text;
  if (beforeText === undefined) {
    // Binary or too large to compare: only a new file of the same size counts as the same one moved.
    return destinations.some((other) => other.before === undefined && other.after?.size === change.before?.size);
  }
  const gainedNames = new Map<string, number>();
  const addedLines = new Map<string, number>();
  for (const other of destinations) {
    const afterOther = other.after?.text;
    if (afterOther === undefined) continue;
    const beforeOther = other.before?.text ?? '';
    addSurplus(gainedNames, testNames(beforeOther, other.path), testNames(afterOther, other.path));
    addSurplus(addedLines, significantLines(beforeOther), significantLines(afterOther));
  }
  const namesKept = [...countItems(beforeNames)].every(([name, n]) => (gainedNames.get(name) ?? 0) >= n);
  return namesKept && containment(significantLines(beforeText), addedLines) >= SIMILARITY_THRESHOLD;
}

function countItems(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Adds to `into` the items `after` has more often than `before`. */
function addSurplus(into: Map<string, number>, before: readonly string[], after: readonly string[]): void {
  const old = countItems(before);
  for (const [item, n] of countItems(after)) {
    const surplus = n - (old.get(item) ?? 0);
    if (surplus > 0) into.set(item, (into.get(item) ?? 0) + surplus);
  }
}

function significantLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Share of `lines` found (as a multiset) among `pool`. */
function containment(lines: readonly string[], pool: ReadonlyMap<string, number>): number {
  if (lines.length === 0) return 1;
  const left = new Map(pool);
  let found = 0;
  for (const line of lines) {
    const n = left.get(line) ?? 0;
    if (n > 0) {
      found++;
      left.set(line, n - 1);
    }
  }
  return found / lines.length;
}

/**
 * Whether the task's text names the file: its repository-relative path, or its file name as a
 * word of its own (`remove legacy.test.ts`, "`tests/test_old.py`").
 */
export function taskNamesFile(taskText: string, filePath: string): boolean {
  if (taskText.includes(filePath)) return true;
  const name = path.posix.basename(filePath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.-])${name}(?![\\w-]|\\.\\w)`).test(taskText);
}
