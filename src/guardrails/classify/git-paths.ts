/**
 * Which files a git pathspec reaches. `git checkout -- <paths>` and `git restore <paths>` may undo
 * the iteration's own changes, never the user's uncommitted work (the files that were dirty before
 * the iteration began); `git add` must not take a file that was ignored when it began.
 */
import path from 'node:path';
import type { Arg } from './args.js';
import type { GuardFacts } from './facts.js';

export interface Coverage {
  /** Files of `files` the pathspecs reach. */
  covered: string[];
  /** A pathspec that cannot be checked (unknown, magic, outside the repository). */
  problem?: string;
}

/** Which of `files` (repository-relative) the pathspecs reach, read relative to `cwd`. */
export function pathspecCoverage(
  pathspecs: readonly Arg[],
  cwd: string,
  files: Iterable<string>,
  facts: GuardFacts,
): Coverage {
  const matchers: ((file: string) => boolean)[] = [];
  for (const spec of pathspecs) {
    const text = spec.text;
    if (text === undefined) return { covered: [], problem: `a path the guard cannot read (${spec.display})` };
    if (text.startsWith(':')) return { covered: [], problem: `pathspec magic cannot be checked (${text})` };
    const relative = path.relative(facts.repoRoot, path.resolve(cwd, text)).split(path.sep).join('/');
    if (relative.startsWith('..') || path.isAbsolute(relative))
      return { covered: [], problem: `${text} is outside the repository` };
    matchers.push(matcher(relative));
  }
  return { covered: [...files].filter((file) => matchers.some((matches) => matches(file))) };
}

function matcher(relative: string): (file: string) => boolean {
  if (relative === '') return () => true;
  if (/[*?[]/.test(relative)) {
    // git's pathspec globs let `*` cross directory boundaries.
    const re = new RegExp(
      `^${relative
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}(/.*)?$`,
      's',
    );
    return (file) => re.test(file);
  }
  return (file) => file === relative || file.startsWith(`${relative}/`);
}

/** The reason to refuse a checkout/restore of `paths`, if they reach the user's uncommitted files. */
export function checkoutPaths(paths: readonly Arg[], cwd: string, facts: GuardFacts): string | undefined {
  const { covered, problem } = pathspecCoverage(paths, cwd, facts.preDirty, facts);
  if (problem) return `${problem}; only the iteration's own changes may be checked out`;
  if (covered.length === 0) return undefined;
  return `it would discard the user's uncommitted changes to ${listFiles(covered)}; only the iteration's own changes may be checked out`;
}

export function listFiles(files: readonly string[]): string {
  return files.slice(0, 5).join(', ') + (files.length > 5 ? `, … (${files.length} in all)` : '');
}
