/**
 * What a new parallel worktree needs beside its checkout before tests can run in it: git gives it
 * the tracked files only, so installed dependencies (ignored folders like `node_modules`) come as
 * hard-linked copies of the main work tree's — no bytes copied, ready at once — and then the user's
 * own setup command, if any, runs in it (the workers' slots and the merge queue's worktree alike).
 *
 * A copy, not a symlink: git sees a symlink as a file, and `node_modules/` in a .gitignore (the
 * usual spelling) ignores directories only, so a linked folder would show up as the agent's change.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/load.js';
import type { Journal } from '../journal/writer.js';
import { errorMessage } from '../util/errors.js';
import { hardLinkTree } from '../util/hard-link-tree.js';
import { runCommand } from '../verify/run-command.js';
import { git } from '../workspace/git.js';
import { lastLines } from '../util/text.js';

export interface WorktreeSetup {
  /** The main work tree, whose ignored folders are copied. */
  repoRoot: string;
  /** The new worktree. */
  dir: string;
  /** `worktreeDependencies`: repository-relative folders. */
  dependencies: readonly string[];
  /** `worktreeSetupCommand`; empty for none. */
  command: string;
  timeoutSeconds: number;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface PreparedWorktree {
  /** Folders copied, with how many files each holds. */
  copied: { folder: string; files: number }[];
  /** Folders left out, and why (missing, not ignored, already there). */
  skipped: { folder: string; why: string }[];
  /** The setup command's time, when one ran. */
  commandMs?: number;
}

/** Thrown when the setup command fails: every worktree would fail the same way, so the run stops. */
export class WorktreeSetupError extends Error {}

const OUTPUT_TAIL_LINES = 20;

async function isIgnored(repoRoot: string, folder: string): Promise<boolean> {
  // Exit 0: ignored; 1: not ignored; anything else (not a repository…): treated as not ignored.
  return git(repoRoot, ['check-ignore', '-q', '--', folder]).then(
    () => true,
    () => false,
  );
}

/** Why `folder` is not copied, or undefined when it is to be. */
async function whyNotCopied(setup: WorktreeSetup, folder: string): Promise<string | undefined> {
  const source = path.join(setup.repoRoot, folder);
  if (!existsSync(source) || !statSync(source).isDirectory()) return 'not in the work tree';
  if (existsSync(path.join(setup.dir, folder))) return 'already in the worktree';
  if (!(await isIgnored(setup.repoRoot, folder))) return 'not ignored by git (the agents would see it as a change)';
  return undefined;
}

async function copyDependencies(setup: WorktreeSetup, prepared: PreparedWorktree): Promise<void> {
  for (const folder of setup.dependencies) {
    const why = await whyNotCopied(setup, folder);
    if (why) {
      prepared.skipped.push({ folder, why });
      continue;
    }
    const target = path.join(setup.dir, folder);
    const { files } = await hardLinkTree(path.join(setup.repoRoot, folder), target);
    prepared.copied.push({ folder, files });
  }
}

async function runSetupCommand(setup: WorktreeSetup): Promise<number> {
  const result = await runCommand({
    command: setup.command,
    cwd: setup.dir,
    timeoutSeconds: setup.timeoutSeconds,
    env: setup.env,
    ...(setup.signal ? { signal: setup.signal } : {}),
  });
  if (result.outcome === 'passed') return result.durationMs;
  const tail = lastLines(result.output, OUTPUT_TAIL_LINES);
  const how = result.spawnError ?? `${result.outcome}${result.exitCode !== null ? ` (exit ${result.exitCode})` : ''}`;
  throw new WorktreeSetupError(
    `worktreeSetupCommand \`${setup.command}\` ${how} in ${setup.dir}${tail ? `:\n${tail}` : ''}`,
  );
}

export async function prepareWorktree(setup: WorktreeSetup): Promise<PreparedWorktree> {
  const prepared: PreparedWorktree = { copied: [], skipped: [] };
  try {
    await copyDependencies(setup, prepared);
  } catch (error) {
    throw new WorktreeSetupError(`copying the dependency folders into ${setup.dir} failed: ${errorMessage(error)}`);
  }
  if (setup.command.trim() !== '') prepared.commandMs = await runSetupCommand(setup);
  return prepared;
}

export interface PrepareForRun {
  config: Pick<Config, 'repoRoot' | 'worktreeDependencies' | 'worktreeSetupCommand' | 'verificationTimeoutSeconds'>;
  journal: Journal;
  /** Who the worktree is for: a worker's id, or `merge` for the merge queue's. */
  worker: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/** The run's way to prepare a new worktree: from its configuration, journaled (`worktree_prepared`). */
export function worktreePreparer(run: PrepareForRun): (dir: string) => Promise<void> {
  return async (dir) => {
    const { config } = run;
    const prepared = await prepareWorktree({
      repoRoot: config.repoRoot,
      dir,
      dependencies: config.worktreeDependencies,
      command: config.worktreeSetupCommand,
      timeoutSeconds: config.verificationTimeoutSeconds,
      env: run.env,
      signal: run.signal,
    });
    run.journal.append({
      type: 'worktree_prepared',
      worker: run.worker,
      worktree: dir,
      copied: prepared.copied.map((entry) => entry.folder),
      files: prepared.copied.reduce((sum, entry) => sum + entry.files, 0),
      skipped: prepared.skipped.map((entry) => `${entry.folder}: ${entry.why}`),
      ...(prepared.commandMs !== undefined ? { commandMs: prepared.commandMs } : {}),
    });
  };
}
