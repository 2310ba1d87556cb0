/**
 * The checks between a configured path and `rm`. A path is removed only when it lies inside the
 * repository (also once symlinks in its parents are resolved), is not `.git` or inside it, and
 * neither is nor contains anything git tracks. A symlink is removed as a link; what it points to
 * is never touched. Every check errs on the side of keeping.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../workspace/git.js';
import { isWithin, type Target } from './targets.js';
import { errorCode, errorMessage } from '../util/errors.js';

export type Judgement =
  | { kind: 'absent' }
  | { kind: 'remove'; type: 'file' | 'directory' | 'symlink' }
  | { kind: 'refused'; reason: string };

/** The real path of `file`'s deepest existing ancestor joined with the rest. */
async function realLocation(file: string): Promise<string> {
  let dir = path.dirname(file);
  const rest = [path.basename(file)];
  for (;;) {
    try {
      return path.join(await realpath(dir), ...rest);
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return file;
      rest.unshift(path.basename(dir));
      dir = parent;
    }
  }
}

/** Files git tracks at or under `relative` (a repo-relative path). */
async function trackedUnder(repoRoot: string, relative: string): Promise<string[]> {
  const output = await git(repoRoot, [
    'ls-files',
    '-z',
    '--cached',
    '--',
    `:(literal)${relative.split(path.sep).join('/')}`,
  ]);
  return output.split('\0').filter(Boolean);
}

function describeTracked(tracked: string[], relative: string): string {
  const self = tracked.length === 1 && tracked[0] === relative.split(path.sep).join('/');
  if (self) return 'it is tracked by git (project files are never removed; point this setting somewhere else)';
  const sample = tracked.slice(0, 3).join(', ');
  return `it contains ${tracked.length} file(s) tracked by git (${sample}${tracked.length > 3 ? ', …' : ''}); project files are never removed`;
}

type Inspected = { kind: 'present'; type: 'file' | 'directory' | 'symlink' } | Judgement;

async function inspect(file: string): Promise<Inspected> {
  try {
    const info = await lstat(file);
    return { kind: 'present', type: info.isSymbolicLink() ? 'symlink' : info.isDirectory() ? 'directory' : 'file' };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    return { kind: 'refused', reason: `it cannot be inspected (${errorMessage(error)})` };
  }
}

/**
 * A file of the harness under the git common directory: removed only where it really is inside
 * the harness's own directory there (parents followed), a symlink as a link.
 */
async function judgeHomeTarget(home: string, target: Target): Promise<Judgement> {
  const found = await inspect(target.path);
  if (found.kind !== 'present') return found;
  if (!isWithin(target.path, home) || path.resolve(target.path) === path.resolve(home))
    return { kind: 'refused', reason: `it is not inside the harness's own directory ${home}` };
  const realHome = await realpath(home).catch(() => home);
  const real = await realLocation(target.path);
  if (!isWithin(real, realHome) || real === realHome)
    return { kind: 'refused', reason: `a symlink in its parents leads out of ${home} (to ${real})` };
  return { kind: 'remove', type: found.type };
}

export async function judgeTarget(repoRoot: string, target: Target): Promise<Judgement> {
  if (target.home) return judgeHomeTarget(target.home, target);
  // Nothing there, nothing to judge: a setting pointing at a path that does not exist is harmless.
  const found = await inspect(target.path);
  if (found.kind !== 'present') return found;
  const { type } = found;
  const root = await realpath(repoRoot);
  const lexical = path.relative(repoRoot, target.path);
  if (!isWithin(target.path, repoRoot))
    return { kind: 'refused', reason: 'it is outside the repository; clear-history only removes files inside it' };
  if (lexical === '') return { kind: 'refused', reason: 'it is the repository root itself' };
  if (lexical.split(path.sep)[0] === '.git') return { kind: 'refused', reason: 'it is inside .git' };

  // Parents are followed (that is where the file really is); the target itself never is.
  const real = await realLocation(target.path);
  if (!isWithin(real, root))
    return { kind: 'refused', reason: `a symlink in its parents leads outside the repository (to ${real})` };
  const realRelative = path.relative(root, real);
  if (realRelative === '' || realRelative.split(path.sep)[0] === '.git')
    return {
      kind: 'refused',
      reason: `a symlink in its parents leads to ${realRelative === '' ? 'the repository root' : '.git'}`,
    };

  for (const relative of new Set([lexical, realRelative])) {
    let tracked: string[];
    try {
      tracked = await trackedUnder(root, relative);
    } catch (error) {
      return {
        kind: 'refused',
        reason: `git could not say whether it is tracked (${errorMessage(error).split('\n')[0]})`,
      };
    }
    // A symlink's target is never entered, so only the link itself matters for it.
    if (type === 'symlink') tracked = tracked.filter((file) => file === relative.split(path.sep).join('/'));
    if (tracked.length > 0) return { kind: 'refused', reason: describeTracked(tracked, relative) };
  }
  return { kind: 'remove', type };
}
