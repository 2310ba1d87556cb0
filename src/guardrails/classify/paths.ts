/**
 * Where a write may land: inside the repository's work tree, the system temp directory and /dev.
 * Never inside a git directory (hooks, config, refs, objects) or the harness's runtime directory,
 * and a deletion or move may not take a directory that holds one of those (`rm -rf .`). Symlinks
 * are followed the way the operation would follow them.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { GuardrailRule, Violation } from '../rules.js';
import type { GuardFacts } from './facts.js';

/** `write` creates or changes the file; `remove` deletes or moves the path itself (not a link's target). */
export type WriteKind = 'write' | 'remove';

export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The real location an operation on `absolute` touches. */
export function realTarget(absolute: string, kind: WriteKind): string {
  if (kind === 'write' && existsSync(absolute)) {
    try {
      return realpathSync(absolute);
    } catch {
      // a dangling link: where it points is unknown; fall back to its parent
    }
  }
  const parent = path.dirname(absolute);
  if (parent === absolute) return absolute;
  return path.join(realTarget(parent, 'write'), path.basename(absolute));
}

export function checkWritePath(
  absolute: string,
  kind: WriteKind,
  facts: GuardFacts,
  subject: string,
): Violation | undefined {
  const target = realTarget(path.resolve(absolute), kind);
  const hit = (rule: GuardrailRule, reason: string): Violation => ({ rule, reason, subject });
  for (const gitPath of facts.gitPaths) {
    if (isInside(target, gitPath)) return hit('write-git-dir', `${shown(target, facts)} is inside git's own directory`);
    if (kind === 'remove' && isInside(gitPath, target))
      return hit('write-git-dir', `removing ${shown(target, facts)} would take git's own directory with it`);
  }
  for (const dir of facts.harnessDirs) {
    if (isInside(target, dir))
      return hit('write-runtime-dir', `${shown(target, facts)} is inside the harness's runtime directory`);
    if (kind === 'remove' && isInside(dir, target))
      return hit('write-runtime-dir', `removing ${shown(target, facts)} would take the harness's runtime directory`);
  }
  if (isInside(target, facts.repoRoot)) return undefined;
  if (facts.scratchDirs.some((dir) => isInside(target, dir))) return undefined;
  return hit('write-outside-repo', `${target} is outside the repository (only the system temp directory is allowed)`);
}

function shown(target: string, facts: GuardFacts): string {
  return isInside(target, facts.repoRoot) ? path.relative(facts.repoRoot, target) || '.' : target;
}
