/**
 * Where the control inboxes live: under the git common directory (shared by every worktree of the
 * repository, out of reach of the work tree and of `git clean`), one directory per run so that a
 * request meant for one run can never be taken by the next. This is the one place that says so.
 */
import path from 'node:path';
import { git } from '../workspace/git.js';

/** The harness's own directory inside the git common directory (`.git/pi-harness`). */
export async function harnessHomeOf(repoRoot: string): Promise<string> {
  const common = (await git(repoRoot, ['rev-parse', '--git-common-dir'], { timeoutMs: 10_000 })).trim();
  return path.join(path.resolve(repoRoot, common), 'pi-harness');
}

/** The inbox of one run. */
export function controlDirOf(harnessHome: string, runId: string): string {
  return path.join(harnessHome, 'control', runId);
}

/** The inboxes of every run (the run removes the others' leftovers when it starts). */
export function controlRootOf(harnessHome: string): string {
  return path.join(harnessHome, 'control');
}
