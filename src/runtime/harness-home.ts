/**
 * The one accessor for where the harness keeps its files: every reader and writer of the lock,
 * the state and the journals (the loop, report, doctor, clear-history, retention, the demo, bench
 * and soak) asks here, never builds the path itself.
 *
 * What an agent must not be able to take away lives under the git common directory, which
 * neither `git clean -fdx` nor `rm -rf .pi-harness` reaches:
 *
 *   <git common dir>/pi-harness/lock.json            the run lock: one per repository, shared by
 *                                                    every work tree of it, whatever the config says
 *   <git common dir>/pi-harness/state.json           this work tree's state
 *   <git common dir>/pi-harness/runs/<runId>/        its run journals, with pi's private files
 *   <git common dir>/pi-harness/worktrees/<name>/    the same two for a linked work tree (git's
 *                                                    own name for it)
 *
 * The runtime directory in the work tree (`piRuntimeDir`, `.pi-harness/`) holds the artifacts and
 * the projections (files rebuilt from the journal); the loop recreates it when it disappears.
 * `activeRunFile` and `stateFile` name projections too: copies for people and tools, never read
 * back. Journals that versions before this one wrote to `<piRuntimeDir>/runs/` are still read.
 *
 * Outside a git repository (only `visual-once` works there) there is no such place: everything
 * lives in `<piRuntimeDir>/home/`.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { RUNTIME_FILE_DEFAULTS } from '../config/runtime-files.js';
import { git } from '../workspace/git.js';

export const JOURNAL_FILE = 'journal.jsonl';
const RUNS = 'runs';

/** Light readers (`status`) know no `stateFile`: its projection is then where the default puts it. */
export type HomeConfig = Pick<Config, 'repoRoot' | 'piRuntimeDir' | 'activeRunFile'> &
  Partial<Pick<Config, 'stateFile'>>;

export interface HarnessHome {
  /** `<git common dir>/pi-harness`: shared by every work tree of the repository. */
  repoDir: string;
  /** The run lock of the repository. */
  lockFile: string;
  /** This work tree's own directory: `repoDir`, or `repoDir/worktrees/<name>` for a linked work tree. */
  dir: string;
  stateFile: string;
  /** `<dir>/runs`: one directory per run, holding its journal and pi's session and agent files. */
  runsDir: string;
  /** `piRuntimeDir`, in the work tree. */
  runtimeDir: string;
  /** `<piRuntimeDir>/runs`: each run's projection files, and the journals of earlier versions. */
  runtimeRunsDir: string;
  /** `activeRunFile`: the projection of the lock. */
  lockProjection: string;
  /** `stateFile`: the projection of the state. */
  stateProjection: string;
  /** True when there is a git repository (else everything lives under the runtime directory). */
  inGit: boolean;
}

/** A repository's git directories: the common one (shared by its work trees) and this work tree's own. */
export interface GitDirs {
  common: string;
  own: string;
}

const GIT_DIRS_ARGS = ['--path-format=absolute', '--git-common-dir', '--git-dir'];

async function gitDirs(repoRoot: string): Promise<GitDirs | undefined> {
  try {
    const output = await git(repoRoot, ['rev-parse', ...GIT_DIRS_ARGS]);
    const [common, own] = output.trim().split('\n');
    return common && own ? { common, own } : undefined;
  } catch {
    return undefined; // not a git repository
  }
}

/**
 * The top of the work tree containing `cwd` and its git directories, in one git call — what
 * `findRepoRoot` and then `harnessHome` would ask git in two (a fresh `status` process pays for
 * every child it starts). Undefined where that call fails (outside a work tree, inside `.git`):
 * the caller then takes the two-call way, which answers there too.
 */
export async function locateWorkTree(cwd: string): Promise<{ root: string; dirs: GitDirs } | undefined> {
  try {
    const output = await git(cwd, ['rev-parse', '--show-toplevel', ...GIT_DIRS_ARGS], { timeoutMs: 10_000 });
    const [root, common, own] = output.trim().split('\n');
    return root && common && own ? { root, dirs: { common, own } } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves every place for `config` (one git call, none when the caller has the git directories
 * from `locateWorkTree` already).
 */
export async function harnessHome(config: HomeConfig, known?: GitDirs): Promise<HarnessHome> {
  const dirs = known ?? (await gitDirs(config.repoRoot));
  const repoDir = dirs ? path.join(dirs.common, 'pi-harness') : path.join(config.piRuntimeDir, 'home');
  // A linked work tree's git dir is <common>/worktrees/<name>; the main one's is the common dir.
  const linked = dirs && path.resolve(dirs.own) !== path.resolve(dirs.common) ? path.basename(dirs.own) : undefined;
  const dir = linked ? path.join(repoDir, 'worktrees', linked) : repoDir;
  return {
    repoDir,
    lockFile: path.join(repoDir, 'lock.json'),
    dir,
    stateFile: path.join(dir, 'state.json'),
    runsDir: path.join(dir, RUNS),
    runtimeDir: config.piRuntimeDir,
    runtimeRunsDir: path.join(config.piRuntimeDir, RUNS),
    lockProjection: config.activeRunFile,
    stateProjection: config.stateFile ?? path.join(config.piRuntimeDir, RUNTIME_FILE_DEFAULTS.stateFile),
    inGit: dirs !== undefined,
  };
}

/** A run's own directory in the safe place: its journal, pi's sessions and private agent dir. */
export function runDirOf(home: HarnessHome, runId: string): string {
  return path.join(home.runsDir, runId);
}

export function journalFileOf(home: HarnessHome, runId: string): string {
  return path.join(runDirOf(home, runId), JOURNAL_FILE);
}

/** A run's projection files in the work tree: `<piRuntimeDir>/runs/<runId>`. */
export function runtimeRunDirOf(home: Pick<HarnessHome, 'runtimeRunsDir'>, runId: string): string {
  return path.join(home.runtimeRunsDir, runId);
}

export interface RunJournal {
  runId: string;
  journal: string;
  /** Written by a version before this one, into the runtime directory. */
  legacy: boolean;
}

function journalsIn(runsDir: string, legacy: boolean): RunJournal[] {
  let names: string[];
  try {
    names = readdirSync(runsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
  return names
    .map((runId) => ({ runId, journal: path.join(runsDir, runId, JOURNAL_FILE), legacy }))
    .filter((run) => existsSync(run.journal));
}

/**
 * Every run with a journal, newest first (run ids sort by their start time): this version's, and
 * those earlier versions left in the runtime directory. A run directory without a journal (a
 * start the lock refused) is no run.
 */
export function listRunJournals(home: HarnessHome): RunJournal[] {
  const runs = new Map<string, RunJournal>();
  for (const run of journalsIn(home.runtimeRunsDir, true)) runs.set(run.runId, run);
  for (const run of journalsIn(home.runsDir, false)) runs.set(run.runId, run);
  return [...runs.values()].sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}
