/**
 * What the classifier decides with: the protected places (real paths, symlinks resolved once),
 * the user's dirty and ignored files, the allow/deny patterns, and a git oracle for the few facts
 * only the repository can tell (is this a revision, is that commit the iteration's own).
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type GuardContext, realOrSelf } from '../context.js';
import { type CommandPattern, parsePatterns } from './patterns.js';

export interface GitOracle {
  /** Whether `name` names a commit or tree (so `git checkout name` switches to it). */
  isRevision(name: string, cwd: string): Promise<boolean>;
  /** Whether `rev` is the iteration's start commit or one of its descendants. */
  isWithinIteration(rev: string, cwd: string): Promise<boolean>;
  /** Whether `rev` is a commit made during the iteration (a proper descendant of the start). */
  isIterationCommit(rev: string, cwd: string): Promise<boolean>;
  /** The checked-out branch's short name, if one is. */
  currentBranch(cwd: string): Promise<string | undefined>;
  /** Paths the index adds relative to HEAD (what the next commit would newly take). */
  stagedAdditions(cwd: string): Promise<string[]>;
  /** Untracked files git does not ignore (what `git add -A` would take). */
  visibleUntracked(cwd: string): Promise<string[]>;
}

export interface GuardFacts {
  repoRoot: string;
  /** Directories (and the `.git` file of a linked work tree) no one but git may write. */
  gitPaths: string[];
  /** The runtime directory and any other harness-owned directories. */
  harnessDirs: string[];
  /** Places outside the repository where writing is fine. */
  scratchDirs: string[];
  home: string | undefined;
  /** The environment commands start with (pi's own): resolves `$HOME`, `$TMPDIR`, … */
  env: Readonly<Record<string, string | undefined>>;
  preDirty: ReadonlySet<string>;
  ignoredAtStart: ReadonlySet<string>;
  allow: CommandPattern[];
  deny: CommandPattern[];
  git: GitOracle;
}

export function factsFromContext(context: GuardContext, env: NodeJS.ProcessEnv, git: GitOracle): GuardFacts {
  const repoRoot = realOrSelf(context.repoRoot);
  const gitPaths = [context.gitDir, context.gitCommonDir, path.join(context.repoRoot, '.git')].map(realOrSelf);
  const harnessDirs = [...(context.runtimeDir ? [context.runtimeDir] : []), ...context.protectedDirs].map(realOrSelf);
  return {
    repoRoot,
    gitPaths: [...new Set(gitPaths)],
    harnessDirs,
    scratchDirs: [...new Set([realOrSelf(tmpdir()), '/dev'])],
    home: env.HOME,
    env: { ...env },
    preDirty: new Set(context.preDirty),
    ignoredAtStart: new Set(context.ignoredAtStart),
    allow: parsePatterns(context.allow),
    deny: parsePatterns(context.deny),
    git,
  };
}
