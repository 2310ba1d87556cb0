/**
 * The repository checks: a git work tree with a commit to start from (the harness restores to it
 * after a failed iteration), and a clean tree (a run refuses a dirty one unless allowDirty).
 */
import { readFile } from 'node:fs/promises';
import { readRunLock, type LiveHolder } from '../report/live-run.js';
import { harnessHome, type HarnessHome } from '../runtime/harness-home.js';
import { harnessOwnPaths } from '../runtime/own-paths.js';
import { parseState, type InProgressIteration } from '../runtime/state.js';
import { errorCode } from '../util/errors.js';
import { userDirtyPaths } from '../workspace/changes.js';
import { GitError, git, headCommit } from '../workspace/git.js';
import { defineCheck } from './types.js';

const GIT_TIMEOUT_MS = 15_000;
const FIRST_COMMIT = 'git add -A && git commit -m "Initial commit"';

function describeGitFailure(error: unknown): string {
  const text = error instanceof GitError ? error.stderr : String(error);
  return (
    text
      .trim()
      .split('\n')
      .at(-1)
      ?.replace(/^fatal: /, '') ?? 'git failed'
  );
}

async function currentBranch(root: string): Promise<string | undefined> {
  try {
    return (
      (await git(root, ['symbolic-ref', '--short', '-q', 'HEAD'], { timeoutMs: GIT_TIMEOUT_MS })).trim() || undefined
    );
  } catch {
    return undefined; // detached HEAD
  }
}

export const gitRepositoryCheck = defineCheck('git', 'git repository', async ({ config }, report) => {
  const root = config.repoRoot;
  try {
    const inside = await git(root, ['rev-parse', '--is-inside-work-tree'], { timeoutMs: GIT_TIMEOUT_MS });
    if (inside.trim() !== 'true') throw new Error('not a work tree');
  } catch (error) {
    if (/ENOENT/.test(String(error))) {
      return report('fail', 'git is not installed or not on PATH', 'install git');
    }
    return report('fail', `${root} is not inside a git work tree`, `run \`git init\`, then ${FIRST_COMMIT}`);
  }
  const branch = await currentBranch(root);
  const head = await headCommit(root);
  if (head === undefined) {
    return report(
      'fail',
      `${root}: branch ${branch ?? 'HEAD'} has no commit yet (an unborn branch); the harness needs a commit to start from and to restore to`,
      `make a first commit: ${FIRST_COMMIT}`,
    );
  }
  if (branch === undefined) {
    return report(
      'warn',
      `${root}: detached HEAD at ${head.slice(0, 7)}; commits will not be on any branch`,
      'switch to a branch first, e.g. `git switch -c pi-work`',
    );
  }
  return report('ok', `${root} — branch ${branch} at ${head.slice(0, 7)}`);
});

/** Names a few paths and counts the rest, so a huge dirty tree stays one readable line. */
function listPaths(paths: readonly string[], shown = 5): string {
  const head = paths.slice(0, shown).join(', ');
  return paths.length > shown ? `${head} and ${paths.length - shown} more` : head;
}

/**
 * The iteration a crashed or killed run left behind, read without touching the state file (or,
 * with none in its place yet, the one an earlier version kept where `stateFile` points).
 */
async function interruptedIteration(home: HarnessHome): Promise<InProgressIteration | undefined> {
  for (const file of [home.stateFile, home.stateProjection]) {
    try {
      return parseState(JSON.parse(await readFile(file, 'utf8'))).inProgress ?? undefined;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') return undefined; // one the next run reports and moves aside
    }
  }
  return undefined;
}

export const workingTreeCheck = defineCheck('worktree', 'working tree', async ({ config }, report) => {
  let dirty: string[];
  const home = await harnessHome(config);
  try {
    // The runtime dir and the harness's files are its own: they never make a tree dirty.
    dirty = await userDirtyPaths(config.repoRoot, harnessOwnPaths(config));
  } catch (error) {
    return report('warn', `not checked: ${describeGitFailure(error)}`);
  }
  if (dirty.length === 0) return report('ok', 'clean');
  const changes = `${dirty.length} uncommitted change${dirty.length === 1 ? '' : 's'}: ${listPaths(dirty)}`;
  const lock = await readRunLock(home);
  if (lock.kind === 'live') {
    // A run in flight: its agents are changing these files. Stashing them would take its work away.
    return report(
      'warn',
      `${changes}, being made by run ${lock.holder.runId}, which is active — leave them to it`,
      waitForRun(lock.holder),
    );
  }
  const interrupted = await interruptedIteration(home);
  if (interrupted !== undefined) {
    // Not the user's dirt: the next run rescues it into a ref and restores the tree before starting.
    return report(
      'warn',
      `${changes}, left by an interrupted iteration (task: ${interrupted.taskText}); the next run keeps them in a rescue ref and restores the tree`,
    );
  }
  if (config.allowDirty) {
    return report('warn', `${changes} (allowDirty is set: the harness never touches or commits them)`);
  }
  return report(
    'fail',
    `${changes} — a run refuses to start on a dirty tree`,
    'commit or stash them (`git stash -u`), or set "allowDirty": true (dirty files are then never touched or committed)',
  );
});

function waitForRun(holder: LiveHolder): string {
  return `wait for it to finish, or stop it with Ctrl-C in its terminal or \`kill -INT ${holder.pid}\` (its work is kept)`;
}

/** Another run holds the lock: `once` and `run` would exit 3 naming it. */
export const runLockCheck = defineCheck('lock', 'run lock', async ({ config }, report) => {
  const home = await harnessHome(config);
  const { lockFile } = home;
  const lock = await readRunLock(home);
  if (lock.kind === 'none') return report('ok', 'free: no run is active');
  if (lock.kind === 'newer')
    return report(
      'fail',
      `${lockFile} was written by a newer pi-harness (format version ${lock.version}): \`once\` and \`run\` exit 2`,
      'use the newer pi-harness in this repository, or remove that file if no run of it is active',
    );
  if (lock.kind === 'stale')
    return report(
      'ok',
      `free: a stale lock${lock.runId ? ` of run ${lock.runId}` : ''} (${lock.reason}) is recovered by the next run`,
    );
  const { runId, pid, command, status } = lock.holder;
  return report(
    'warn',
    `run ${runId} (pid ${pid}, ${command}, ${status}) is active: \`once\` and \`run\` exit 3 until it ends`,
    waitForRun(lock.holder),
  );
});
