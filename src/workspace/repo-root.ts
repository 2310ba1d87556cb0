import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HARNESS_GIT_SAFETY_ARGS } from './git.js';

const execFileAsync = promisify(execFile);

/**
 * The top of the git work tree containing `cwd`, or `cwd` itself when it is not inside one (the
 * preflight reports that; configuration loading must still work there, e.g. for `init`).
 */
export async function findRepoRoot(cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', [...HARNESS_GIT_SAFETY_ARGS, 'rev-parse', '--show-toplevel'], {
      cwd,
      timeout: 10_000,
    });
    const top = stdout.trim();
    return top || cwd;
  } catch {
    return cwd;
  }
}
