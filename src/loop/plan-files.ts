/**
 * Which of the files a tester's commit plan names may be committed: only the iteration's own
 * changes. A plan entry is a path as a model wrote it (`./a.ts`, `sub/../notes.txt`, an absolute
 * path, a directory), so it is brought to git's repo-relative form first; comparing the raw text
 * with the pre-dirty list let `sub/../notes.txt` commit a file the user had uncommitted.
 */
import path from 'node:path';

export interface PlanFileChoice {
  /** Repo-relative paths to stage, each one of the iteration's own changes. */
  files: string[];
  /** Plan entries left out, each with the reason. */
  refused: { entry: string; why: string }[];
}

/** The repo-relative form of a plan entry, or undefined when it points outside the repository. */
export function repoRelativeEntry(repoRoot: string, entry: string): string | undefined {
  const absolute = path.resolve(repoRoot, entry);
  const relative = path.relative(repoRoot, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/**
 * `ownChanges` are the iteration's changed files (pre-dirty files and the harness's own already
 * excluded). An entry naming a directory takes the iteration's changes inside it.
 */
export function choosePlanFiles(
  repoRoot: string,
  entries: readonly string[],
  ownChanges: readonly string[],
): PlanFileChoice {
  const own = new Set(ownChanges);
  const files = new Set<string>();
  const refused: PlanFileChoice['refused'] = [];
  for (const entry of entries) {
    const relative = repoRelativeEntry(repoRoot, entry);
    if (relative === undefined) {
      refused.push({ entry, why: 'outside the repository' });
      continue;
    }
    if (relative === '' || !own.has(relative)) {
      const inside = ownChanges.filter((file) => relative === '' || file.startsWith(`${relative}/`));
      if (inside.length > 0) {
        for (const file of inside) files.add(file);
        continue;
      }
      refused.push({ entry, why: 'not changed by this iteration (or dirty before it, or the harness’s own)' });
      continue;
    }
    files.add(relative);
  }
  return { files: [...files], refused };
}
