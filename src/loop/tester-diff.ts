/**
 * The diff the tester's prompt carries: the iteration's product changes since its start commit
 * (the task file's tick is the harness's, not part of the change), or nothing when there is no
 * tree to diff against or it is longer than maxPromptDiffLines — the tester then asks git itself.
 */
import { errorMessage } from '../util/errors.js';
import { iterationDiff } from '../workspace/diff.js';
import type { IterationRun } from './iteration-run.js';

/** What the diff is of: the tree's content and the iteration's changed product files. */
function diffKey(run: IterationRun): string | undefined {
  const { tree } = run.state;
  if (tree.fingerprint === undefined) return undefined;
  return `${tree.fingerprint}\0${tree.changes.all.join('\0')}`;
}

/**
 * Starts the tester's diff of the tree as it is now, for testerDiff to find: a passing verification
 * reads it while the integrity checks read the test files, before the tester's turn asks for it.
 */
export function readTesterDiffAhead(run: IterationRun): void {
  const key = diffKey(run);
  if (key !== undefined) run.state.testerDiffAhead = { key, diff: readTesterDiff(run) };
}

export async function testerDiff(run: IterationRun): Promise<string | undefined> {
  const ahead = run.state.testerDiffAhead;
  delete run.state.testerDiffAhead;
  if (ahead !== undefined && ahead.key === diffKey(run)) return ahead.diff;
  return readTesterDiff(run);
}

async function readTesterDiff(run: IterationRun): Promise<string | undefined> {
  const { config, journal } = run.services;
  const { tree } = run.state;
  const max = config.promptMode === 'full' ? Number.POSITIVE_INFINITY : config.maxPromptDiffLines;
  if (max === 0 || tree.fingerprint === undefined) return undefined;
  const paths = tree.changes.all.filter((file) => !run.start.notProduct.includes(file));
  try {
    const diff = await iterationDiff(config.repoRoot, run.start.startCommit, tree.fingerprint, paths);
    return diff.split('\n').length - 1 <= max ? diff : undefined;
  } catch (error) {
    // The tester can always look for itself; a failed diff only costs it a request.
    journal.append({ type: 'warning', message: `the diff for the tester's prompt failed: ${errorMessage(error)}` });
    return undefined;
  }
}
