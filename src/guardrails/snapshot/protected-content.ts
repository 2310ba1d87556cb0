/**
 * Files the user had ignored when the iteration began (a `.env` with a secret) must end up in no
 * commit any ref reaches. An agent that exposed one can still get it into a commit the restore
 * would otherwise keep: a stash entry it made (`git stash -u` with the file visible) or a branch or
 * tag it created and committed on. The first is rebuilt without the files (the agent's other
 * stashed work stays); the second is deleted (its commits stay in git's object store, named in the
 * report).
 */
import { git } from '../../workspace/git.js';
import { commitTree, withTempIndex } from '../../workspace/tree-builder.js';
import { peelToCommits } from './take.js';
import type { GitSnapshot } from './types.js';

/** The paths ignored at the start: those kept, and those named but over the limits. */
export function protectedPaths(snapshot: GitSnapshot): string[] {
  return [...new Set([...snapshot.ignored.map((file) => file.path), ...snapshot.unprotected])];
}

/** Which of `paths` the tree of `treeish` holds. */
async function holds(cwd: string, treeish: string, paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const output = await git(cwd, ['--literal-pathspecs', 'ls-tree', '-r', '-z', '--name-only', treeish, '--', ...paths]);
  return output.split('\0').filter(Boolean);
}

/** The tree of `treeish` without `paths`. */
async function treeWithout(cwd: string, treeish: string, paths: readonly string[]): Promise<string> {
  return withTempIndex(async (env) => {
    await git(cwd, ['read-tree', treeish], { env });
    await git(cwd, ['update-index', '--force-remove', '-z', '--stdin'], { env, input: `${paths.join('\0')}\0` });
    return (await git(cwd, ['write-tree'], { env })).trim();
  });
}

async function messageOf(cwd: string, commit: string): Promise<string> {
  return git(cwd, ['log', '-1', '--format=%B', commit]);
}

/** `commit` again with `tree` and `parents`, its message kept. */
async function recommit(cwd: string, commit: string, tree: string, parents: readonly string[]): Promise<string> {
  return commitTree(cwd, { tree, parents, message: await messageOf(cwd, commit) });
}

export interface ScrubbedEntry {
  commit: string;
  removed: string[];
}

/**
 * A stash entry (its work-tree commit, index commit and untracked-files commit) rebuilt without
 * `paths`; undefined when it holds none of them.
 */
export async function stashEntryWithout(
  cwd: string,
  entry: string,
  paths: readonly string[],
): Promise<ScrubbedEntry | undefined> {
  const [, base, index, untracked] = (await git(cwd, ['rev-list', '--parents', '-n', '1', entry])).trim().split(' ');
  if (!base || !index) return undefined;
  const inEntry = await holds(cwd, entry, paths);
  const inIndex = await holds(cwd, index, paths);
  const inUntracked = untracked ? await holds(cwd, untracked, paths) : [];
  const removed = [...new Set([...inEntry, ...inIndex, ...inUntracked])].sort();
  if (removed.length === 0) return undefined;
  const newIndex =
    inIndex.length > 0 ? await recommit(cwd, index, await treeWithout(cwd, index, paths), [base]) : index;
  const newUntracked =
    untracked && inUntracked.length > 0
      ? await recommit(cwd, untracked, await treeWithout(cwd, untracked, paths), [])
      : untracked;
  const tree = inEntry.length > 0 ? await treeWithout(cwd, entry, paths) : `${entry}^{tree}`;
  const parents = [base, newIndex, ...(newUntracked ? [newUntracked] : [])];
  return { commit: await recommit(cwd, entry, (await git(cwd, ['rev-parse', tree])).trim(), parents), removed };
}

/** How many new commits of a created ref are looked into (an agent makes a few per iteration). */
const MAX_COMMITS_CHECKED = 200;

/**
 * Which of `paths` the commits reachable from `target` — and from no ref the snapshot recorded —
 * hold. Only commits are looked into (a ref to a tree or blob is not a commit of the repository).
 */
export async function protectedPathsInNewCommits(
  snapshot: GitSnapshot,
  target: string,
  paths: readonly string[],
): Promise<string[]> {
  const cwd = snapshot.repoRoot;
  if (paths.length === 0 || target.startsWith('ref: ')) return [];
  const [tip] = await peelToCommits(cwd, [target]);
  if (tip === undefined) return []; // a ref to a tree or a blob: no commit holds anything
  const known = await peelToCommits(cwd, [
    ...new Set(Object.values(snapshot.refs).filter((value) => !value.startsWith('ref: '))),
  ]);
  const input = [tip, ...known.map((commit) => `^${commit}`)].join('\n');
  const output = await git(cwd, ['rev-list', `--max-count=${MAX_COMMITS_CHECKED}`, '--stdin'], { input: `${input}\n` });
  const commits = output.split('\n').filter(Boolean);
  const found = new Set<string>();
  for (const commit of commits) for (const file of await holds(cwd, commit, paths)) found.add(file);
  return [...found].sort();
}
