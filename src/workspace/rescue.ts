/**
 * Keeping a failed iteration's work (docs/iteration.md): everything it did — commits agents made since the
 * start commit, uncommitted changes to tracked files, new untracked files — becomes ONE commit under
 * refs/pi-harness/rescue/ plus a binary-safe patch file. The commit is built through a temporary
 * index, so the user's index and files are untouched; restoring the tree is a separate step
 * (restore.ts) that the loop runs only once the rescue is safely stored.
 *
 * What counts as the iteration's work: `iterationChanges` — never the harness's own paths, never
 * files that were dirty before the iteration, never ignored files the agent created (they are not
 * reported by git status; build output and caches are not work worth keeping, and restore leaves
 * them alone too). Ignored files an agent force-committed are kept, as committed. With a pre-dirty
 * snapshot, the agent's edits to pre-dirty files are kept too, as a diff against the user's version.
 */
import { mkdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { tempPathFor } from '../util/atomic-file.js';
import { iterationChanges, isHarnessPath } from './changes.js';
import { git, headCommit } from './git.js';
import type { PreDirtySnapshot } from './predirty.js';
import { changedBetween, commitTree, createHarnessRef, treeOf, treeWithPaths } from './tree-builder.js';

export { restoreToStart, type RestoreOptions, type RestoreReport } from './restore.js';
export {
  preDirtyRefName,
  readPreDirtySnapshot,
  reclaimPreDirty,
  restorePreDirty,
  snapshotPreDirty,
  type PreDirtySnapshot,
} from './predirty.js';
export { detectForeignFilesInCommits, rebuildCommitWithout } from './foreign-commits.js';

export interface RescueOptions {
  /** The repository root. */
  cwd: string;
  startCommit: string;
  preDirty: ReadonlySet<string>;
  harnessPaths: readonly string[];
  /** Under refs/pi-harness/rescue/, e.g. refs/pi-harness/rescue/<runId>/<iteration>. */
  refName: string;
  /** Where the patch goes (absolute). */
  patchFile: string;
  /** First line(s) of the rescue commit's message. */
  message: string;
  /** The iteration's pre-dirty snapshot, when files were dirty at its start. */
  preDirtySnapshot?: PreDirtySnapshot;
}

export interface Rescue {
  /** The ref actually written (a suffix is added if the name was taken). */
  ref: string;
  commit: string;
  /** The rescue commit's parent: the start commit, or the pre-dirty snapshot on top of it. */
  base: string;
  /** Files the rescue changes relative to `base`. */
  files: string[];
  patchFile: string;
  /** Commits agents made during the iteration (oldest first); their content is in the rescue. */
  agentCommits: string[];
}

async function agentCommitsSince(cwd: string, startCommit: string): Promise<string[]> {
  const head = await headCommit(cwd);
  if (!head || head === startCommit) return [];
  const output = await git(cwd, ['rev-list', '--reverse', '--oneline', `${startCommit}..${head}`]);
  return output.split('\n').filter(Boolean);
}

/**
 * Writes `git diff --binary <base> <commit>` to `patchFile` atomically and byte for byte (git
 * writes the file itself; the text never passes through a string decoder). User diff settings that
 * would break `git apply` (no prefix, external diff, textconv, colour) are overridden.
 */
export async function writePatch(cwd: string, base: string, commit: string, patchFile: string): Promise<void> {
  await mkdir(path.dirname(patchFile), { recursive: true });
  const temp = tempPathFor(patchFile);
  const config = ['-c', 'diff.noprefix=false', '-c', 'diff.mnemonicPrefix=false', '-c', 'diff.relative=false'];
  const options = ['--binary', '--full-index', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames'];
  try {
    await git(cwd, [
      ...config,
      'diff',
      ...options,
      '--src-prefix=a/',
      '--dst-prefix=b/',
      `--output=${temp}`,
      base,
      commit,
    ]);
    await rename(temp, patchFile);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Stores the iteration's work; undefined when it changed nothing worth keeping. */
export async function rescueWork(options: RescueOptions): Promise<Rescue | undefined> {
  const { cwd, startCommit, preDirtySnapshot: snapshot } = options;
  const changes = await iterationChanges(cwd, startCommit, {
    preDirty: options.preDirty,
    harnessPaths: options.harnessPaths,
  });
  const preDirtyPaths = snapshot ? snapshot.paths.filter((file) => !isHarnessPath(file, options.harnessPaths)) : [];
  const paths = [...new Set([...changes.all, ...preDirtyPaths])];
  if (paths.length === 0) return undefined;
  // On top of the snapshot, unchanged pre-dirty files are no difference: only the agent's edits show.
  const base = snapshot?.commit ?? startCommit;
  const tree = await treeWithPaths(cwd, base, paths);
  if (tree === (await treeOf(cwd, base))) return undefined;
  const agentCommits = await agentCommitsSince(cwd, startCommit);
  const details = [`Start commit: ${startCommit}`];
  if (agentCommits.length > 0)
    details.push('', 'Agent commits (their content is included):', ...agentCommits.map((line) => `  ${line}`));
  if (snapshot)
    details.push('', `Parent: pre-dirty snapshot ${snapshot.ref} (the user's uncommitted files, not the agent's work)`);
  const message = `${options.message.trimEnd()}\n\n${details.join('\n')}\n`;
  const commit = await commitTree(cwd, { tree, parents: [base], message });
  const ref = await createHarnessRef(cwd, options.refName, commit);
  await writePatch(cwd, base, commit, options.patchFile);
  const files = await changedBetween(cwd, base, commit);
  return { ref, commit, base, files, patchFile: options.patchFile, agentCommits };
}
