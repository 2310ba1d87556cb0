/**
 * Keeps the harness's own directory out of git without touching the user's .gitignore: a line in
 * the repository's `info/exclude`, which is local to the clone and never committed.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gitPath } from './git.js';

/** Adds `/<dir>/` to info/exclude when `dir` is inside the repo and not listed yet. Idempotent. */
export async function excludeFromGit(repoRoot: string, dir: string): Promise<boolean> {
  const relative = path.relative(repoRoot, dir);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
  const pattern = `/${relative.split(path.sep).join('/')}/`;
  const excludeFile = await gitPath(repoRoot, 'info/exclude');
  let current = '';
  try {
    current = await readFile(excludeFile, 'utf8');
  } catch {
    await mkdir(path.dirname(excludeFile), { recursive: true });
  }
  if (current.split(/\r?\n/).some((line) => line.trim() === pattern)) return false;
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  await appendFile(excludeFile, `${separator}# pi-harness runtime files\n${pattern}\n`);
  return true;
}
