/**
 * The commit HEAD is at and the work tree's changes, in one `git status` (porcelain v2 with its
 * branch header) instead of a `rev-parse HEAD` beside a `status`: the loop reads both after every
 * step. Parsed once, into the same records as `status()`.
 */
import { git, kindOf, type StatusEntry } from './git.js';

export interface StatusWithHead {
  /** Undefined on an unborn branch (no commit yet). */
  head: string | undefined;
  /**
   * The branch HEAD is on (`refs/heads/...`); undefined when the header cannot say it for sure
   * (a detached HEAD, a ref outside refs/heads/, a branch named like either): ask git then.
   */
  branch?: string;
  entries: StatusEntry[];
}

/**
 * `# branch.head` names a branch by its short name, and says "(detached)" or "(null)" (HEAD on a
 * ref outside refs/heads/) otherwise. A branch may be named "(detached)" or "refs/x" too, so only
 * a name that can mean nothing else is taken.
 */
function branchOf(name: string): string | undefined {
  return name.startsWith('(') || name.startsWith('refs/') ? undefined : `refs/heads/${name}`;
}

/** The rest of `line` after its first `fields` space-separated fields (a path may hold spaces). */
function afterFields(line: string, fields: number): string {
  let at = 0;
  for (let i = 0; i < fields; i++) at = line.indexOf(' ', at) + 1;
  return line.slice(at);
}

/** v2 writes "." for an unchanged side where v1 writes a space: the records keep v1's letters. */
const v1Letter = (letter: string) => (letter === '.' ? ' ' : letter);

function entry(path: string, xy: string): StatusEntry {
  const index = v1Letter(xy[0]!);
  const worktree = v1Letter(xy[1]!);
  return { path, index, worktree, kind: kindOf(index, worktree) };
}

/** Parses `git status --porcelain=v2 -z --branch`. */
export function parseStatusV2Z(output: string): StatusWithHead {
  const records = output.split('\0');
  const found: StatusWithHead = { head: undefined, entries: [] };
  for (let i = 0; i < records.length; i++) {
    const line = records[i]!;
    const kind = line.slice(0, 2);
    if (line.startsWith('# branch.oid ')) {
      const oid = line.slice('# branch.oid '.length);
      found.head = oid === '(initial)' ? undefined : oid;
    } else if (line.startsWith('# branch.head ')) {
      const branch = branchOf(line.slice('# branch.head '.length));
      if (branch !== undefined) found.branch = branch;
    } else if (kind === '1 ') found.entries.push(entry(afterFields(line, 8), line.slice(2, 4)));
    else if (kind === 'u ') found.entries.push(entry(afterFields(line, 10), line.slice(2, 4)));
    else if (kind === '2 ') {
      // A rename or copy: its source path is the next record.
      const renamed = entry(afterFields(line, 9), line.slice(2, 4));
      found.entries.push({ ...renamed, fromPath: records[++i]! });
    } else if (kind === '? ') found.entries.push(entry(line.slice(2), '??'));
  }
  return found;
}

export async function statusWithHead(cwd: string): Promise<StatusWithHead> {
  const output = await git(cwd, [
    'status',
    '--porcelain=v2',
    '-z',
    '--branch',
    // The branch header without counting commits against an upstream (a cost nothing here reads).
    '--no-ahead-behind',
    '--untracked-files=all',
    '--no-renames',
  ]);
  return parseStatusV2Z(output);
}
