/**
 * A parallel run's one verification for the integrity baseline, started as the run starts, in the
 * user's work tree, while the workers make their worktrees and start pi. Their first iterations
 * start from the same tree (the start commit's files) and take its counts, waiting only for what
 * is left of it, instead of one worker running it and the others waiting from their first step.
 */
import type { LoopContext } from '../loop/loop-context.js';
import { verifyStartOnce, type RunIntegrity } from '../loop/integrity-run.js';
import { toRepoRelative } from '../workspace/changes.js';
import { worktreeFingerprint } from '../workspace/fingerprint.js';
import { git } from '../workspace/git.js';

/**
 * Runs the test command in the user's work tree for `iteration` (the run's first) when that tree is
 * exactly the start commit's; otherwise (uncommitted files of the user's) leaves the run's one
 * verification to the first worker, as before. Never throws: a baseline is a help, not a step.
 */
export async function verifyStartTree(ctx: LoopContext, integrity: RunIntegrity, iteration: number): Promise<void> {
  const { config, journal } = ctx;
  if (config.integrity === 'off' || config.testCommand.trim() === '') return;
  try {
    const changes = await git(config.repoRoot, ['status', '--porcelain', '-z', '--untracked-files=all']);
    if (changes.length > 0) return;
    const fingerprint = await worktreeFingerprint(config.repoRoot, [toRepoRelative(config.repoRoot, config.taskFile)]);
    const services = { config, journal, integrity, childEnv: ctx.io.env, signal: ctx.signal };
    await verifyStartOnce(services, { fingerprint, iteration });
  } catch {
    // The workers' own baseline steps see no verification and go as they did without one.
  }
}
