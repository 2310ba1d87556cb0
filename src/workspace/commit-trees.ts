/**
 * The tree a commit names, remembered: it never changes, and an iteration asks for its start
 * commit's (the integrity baseline) right after the harness made that commit and read it.
 */
import { BoundedCache } from '../util/bounded-cache.js';
import { git } from './git.js';

const trees = new BoundedCache<string, string>(8);

/** Records what the caller read with the commit itself (`%T`). */
export function rememberTree(cwd: string, commit: string, tree: string): void {
  trees.set(`${cwd}\0${commit}`, tree);
}

export function treeOfCommit(cwd: string, commit: string): Promise<string> {
  return trees.getOrLoad(`${cwd}\0${commit}`, async () =>
    (await git(cwd, ['rev-parse', '--verify', `${commit}^{tree}`])).trim(),
  );
}
