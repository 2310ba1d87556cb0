/**
 * Keeps the harness's own files out of git without touching the user's .gitignore: lines in the
 * repository's `info/exclude`, which is local to the clone and never committed.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gitPath } from './git.js';

/** A repo-relative path (forward slashes) the harness owns. */
export interface ExcludedPath {
  path: string;
  directory: boolean;
}

/**
 * The patterns for one path: `/<dir>/` for a directory; for a file, `/<file>` and the temporary
 * names an atomic write uses next to it (`.<name>.<pid>.<hex>.tmp`), so a crash mid-write leaves
 * nothing git would show.
 */
function patternsOf(entry: ExcludedPath): string[] {
  if (entry.directory) return [`/${entry.path}/`];
  const slash = entry.path.lastIndexOf('/');
  const dir = entry.path.slice(0, slash + 1);
  return [`/${entry.path}`, `/${dir}.${entry.path.slice(slash + 1)}.*.tmp`];
}

/**
 * Adds the patterns of `paths` (or of one directory, absolute) to info/exclude when they are
 * inside the repo and not listed yet. Idempotent; true when something was added.
 */
export async function excludeFromGit(repoRoot: string, paths: string | readonly ExcludedPath[]): Promise<boolean> {
  const entries = typeof paths === 'string' ? directoryEntry(repoRoot, paths) : paths;
  if (entries.length === 0) return false;
  const excludeFile = await gitPath(repoRoot, 'info/exclude');
  let current = '';
  try {
    current = await readFile(excludeFile, 'utf8');
  } catch {
    await mkdir(path.dirname(excludeFile), { recursive: true });
  }
  const listed = new Set(current.split(/\r?\n/).map((line) => line.trim()));
  const missing = entries.flatMap(patternsOf).filter((pattern) => !listed.has(pattern));
  if (missing.length === 0) return false;
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  await appendFile(excludeFile, `${separator}# pi-harness runtime files\n${missing.join('\n')}\n`);
  return true;
}

function directoryEntry(repoRoot: string, dir: string): ExcludedPath[] {
  const relative = path.relative(repoRoot, dir);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return [];
  return [{ path: relative.split(path.sep).join('/'), directory: true }];
}
