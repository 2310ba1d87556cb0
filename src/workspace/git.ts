/**
 * git, spawned with argument arrays and a time limit, its porcelain parsed once (with -z, so
 * names with spaces, quotes, newlines or unicode arrive intact) into typed records.
 */
import { BoundedCache } from '../util/bounded-cache.js';
import { runShortCommand } from '../process/spawn-host.js';

export class GitError extends Error {
  readonly args: readonly string[];
  readonly stderr: string;
  readonly exitCode: number | null;

  constructor(args: readonly string[], stderr: string, exitCode: number | null) {
    super(
      `git ${args.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || 'no output'}`,
    );
    this.name = 'GitError';
    this.args = args;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

export interface GitOptions {
  timeoutMs?: number;
  /**
   * Leave `core.hooksPath` as the repository configures it. Only for reading where the hooks live
   * (`rev-parse --git-path hooks/...`), never for a command that can run one.
   */
  repositoryHooksPath?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Text to feed on stdin. */
  input?: string;
}

const DEFAULT_GIT_TIMEOUT_MS = 60_000;

/**
 * Every git command the harness runs itself starts with these: no hook runs (an agent can plant one
 * in .git/hooks, and the harness's rescue or commit must not execute it or fail by it) and no
 * fsmonitor command runs (`core.fsmonitor` names a program, which an edited config could point
 * anywhere). A caller that means to run the repository's own hooks passes a later
 * `-c core.hooksPath=<dir>`, which wins over this one.
 */
export const HARNESS_GIT_SAFETY_ARGS: readonly string[] = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
];
const WITHOUT_HOOKS_OVERRIDE = HARNESS_GIT_SAFETY_ARGS.slice(2);

export async function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<string> {
  const safety = options.repositoryHooksPath ? WITHOUT_HOOKS_OVERRIDE : HARNESS_GIT_SAFETY_ARGS;
  const outcome = await runShortCommand({
    file: 'git',
    args: [...safety, ...args],
    cwd,
    timeoutMs: options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
    // Never open an editor or a pager, never ask for credentials: nobody is there to answer.
    env: { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', GIT_PAGER: 'cat' },
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  const { failure } = outcome;
  if (!failure) return outcome.stdout;
  throw new GitError(args, outcome.stderr || failure.message, typeof failure.code === 'number' ? failure.code : null);
}

export type ChangeKind =
  | 'modified'
  | 'added'
  | 'deleted'
  | 'renamed'
  | 'copied'
  | 'untracked'
  | 'conflicted'
  | 'type_changed';

export interface StatusEntry {
  path: string;
  /** The old path of a rename or copy. */
  fromPath?: string;
  /** The X and Y columns of `git status --porcelain`. */
  index: string;
  worktree: string;
  kind: ChangeKind;
}

export function kindOf(index: string, worktree: string): ChangeKind {
  const both = index + worktree;
  if (both === '??') return 'untracked';
  if (both.includes('U') || both === 'AA' || both === 'DD') return 'conflicted';
  if (index === 'R' || worktree === 'R') return 'renamed';
  if (index === 'C' || worktree === 'C') return 'copied';
  if (index === 'D' || worktree === 'D') return 'deleted';
  if (index === 'A') return 'added';
  if (index === 'T' || worktree === 'T') return 'type_changed';
  return 'modified';
}

/** Parses `git status --porcelain=v1 -z`. */
export function parseStatusZ(output: string): StatusEntry[] {
  const fields = output.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.length < 4) continue;
    const index = field[0]!;
    const worktree = field[1]!;
    const entry: StatusEntry = { path: field.slice(3), index, worktree, kind: kindOf(index, worktree) };
    // In -z format a rename/copy is followed by its source path as a separate field.
    if (index === 'R' || index === 'C' || worktree === 'R' || worktree === 'C') entry.fromPath = fields[++i];
    entries.push(entry);
  }
  return entries;
}

export async function status(cwd: string): Promise<StatusEntry[]> {
  return parseStatusZ(await git(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']));
}

export async function headCommit(cwd: string): Promise<string | undefined> {
  try {
    return (await git(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD'])).trim() || undefined;
  } catch {
    return undefined; // an unborn branch: no commit yet
  }
}

/** Whether `ref` (a full ref name) exists. */
export async function refExists(cwd: string, ref: string): Promise<boolean> {
  return git(cwd, ['show-ref', '--verify', '--quiet', ref]).then(
    () => true,
    () => false,
  );
}

/** Two commit ids always differ in the same paths: the last few answers, for the steps that ask again. */
const committedChanges = new BoundedCache<string, readonly string[]>(4);

/**
 * Paths changed between `fromCommit` and HEAD (committed during the iteration); `toCommit`: HEAD's
 * commit id, when the caller has just read it (the answer is then remembered).
 */
export async function committedChangesSince(cwd: string, fromCommit: string, toCommit?: string): Promise<string[]> {
  const read = async () => {
    const output = await git(cwd, ['diff', '--name-only', '-z', '--no-renames', fromCommit, toCommit ?? 'HEAD']);
    return output.split('\0').filter(Boolean);
  };
  if (toCommit === undefined) return read();
  return [...(await committedChanges.getOrLoad(`${cwd}\0${fromCommit}\0${toCommit}`, read))];
}

/** Where git keeps `info/exclude` for this work tree (differs for linked worktrees). */
export async function gitPath(cwd: string, name: string): Promise<string> {
  const relative = (await git(cwd, ['rev-parse', '--git-path', name], { repositoryHooksPath: true })).trim();
  return relative.startsWith('/') ? relative : `${cwd}/${relative}`;
}
