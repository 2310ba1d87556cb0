/**
 * The iteration's change as a unified diff, for the tester's prompt: from the start commit to a
 * tree of the work tree as the last step left it (the fingerprint tree of tree-state.ts, which
 * holds untracked files too), limited to the iteration's own files. No external diff program or
 * textconv filter runs: those are commands a repository's configuration names.
 */
import { git } from './git.js';

export async function iterationDiff(
  cwd: string,
  startCommit: string,
  tree: string,
  paths: readonly string[],
): Promise<string> {
  if (paths.length === 0) return '';
  const diff = await git(cwd, [
    'diff',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    startCommit,
    tree,
    '--',
    ...paths.map((file) => `:(literal)${file}`),
  ]);
  // Blob ids tell a reader nothing about the change.
  return diff.replace(/^index [0-9a-f]+\.\.[0-9a-f]+(?: \d+)?\n/gm, '');
}
