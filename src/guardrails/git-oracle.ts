/**
 * The guard's questions to the repository, answered by git (the harness's own runner: hooks and
 * fsmonitor off). Every answer that cannot be had counts as the cautious one.
 */
import type { GitOracle } from './classify/facts.js';
import { git } from '../workspace/git.js';

const TIMEOUT_MS = 10_000;

async function succeeds(cwd: string, args: readonly string[]): Promise<boolean> {
  try {
    await git(cwd, args, { timeoutMs: TIMEOUT_MS });
    return true;
  } catch {
    return false;
  }
}

async function lines(cwd: string, args: readonly string[]): Promise<string[]> {
  try {
    return (await git(cwd, args, { timeoutMs: TIMEOUT_MS })).split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export function repositoryOracle(startCommit: string | undefined): GitOracle {
  const descends = async (rev: string, cwd: string, proper: boolean): Promise<boolean> => {
    if (startCommit === undefined || rev.startsWith('-')) return false;
    let commit: string;
    try {
      commit = (await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])).trim();
    } catch {
      return false;
    }
    if (proper && commit === startCommit) return false;
    return succeeds(cwd, ['merge-base', '--is-ancestor', startCommit, commit]);
  };
  return {
    isRevision: (name, cwd) =>
      name.startsWith('-')
        ? Promise.resolve(false)
        : succeeds(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${name}^{tree}`]),
    isWithinIteration: (rev, cwd) => descends(rev, cwd, false),
    isIterationCommit: (rev, cwd) => descends(rev, cwd, true),
    currentBranch: async (cwd) => {
      try {
        return (await git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { timeoutMs: TIMEOUT_MS })).trim();
      } catch {
        return undefined;
      }
    },
    stagedAdditions: (cwd) => lines(cwd, ['diff', '--cached', '--name-only', '--diff-filter=A', '-z', '--no-renames']),
    visibleUntracked: (cwd) => lines(cwd, ['ls-files', '--others', '--exclude-standard', '-z', '--full-name']),
  };
}
