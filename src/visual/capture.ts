/**
 * Running the user's `visualCaptureCommand` (docs/visual-review.md). The command string is the user's own and
 * runs through their shell in its own process group (runCommand); what the harness hands over —
 * the task text, its phase, the changed files — goes ONLY into environment variables, so a task
 * heading such as `$(rm -rf ~)` is data the script may read, never shell text that runs.
 *
 * The capture dir is emptied before each capture so a stale screenshot from an earlier capture can
 * never pass for a new one. Because it is emptied, it must be a scratch directory: the repo
 * root, a directory above it or the home directory, or one holding tracked files, is refused, and
 * only a directory the harness made and marked is ever emptied (capture-dir.ts).
 */
import { homedir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { runCommand, type CommandResult } from '../verify/run-command.js';
import { emptyCaptureDir } from './capture-dir.js';
import { toRepoRelative, userDirtyPaths } from '../workspace/changes.js';
import { excludeFromGit } from '../workspace/exclude.js';
import { git } from '../workspace/git.js';
import { validateCapture, type CapturedScreen } from './manifest.js';

export type CaptureConfig = Pick<
  Config,
  | 'repoRoot'
  | 'piRuntimeDir'
  | 'activeRunFile'
  | 'stateFile'
  | 'visualFeedbackFile'
  | 'visualReviewHistoryDir'
  | 'visualCaptureCommand'
  | 'visualCaptureDir'
  | 'visualCaptureTimeoutSeconds'
>;

export interface CaptureInput {
  config: CaptureConfig;
  /** The environment the command inherits; the PI_VISUAL_* variables are added to it. */
  env: NodeJS.ProcessEnv;
  /** 0 for a manual capture (visual-once). */
  iteration: number;
  task: string;
  phase: string | null;
  changedFiles: readonly string[];
  signal?: AbortSignal;
}

export type CaptureOutcome =
  /** `dirtied`: repo files the command changed (a build into a tracked dir); worth a warning. */
  | { kind: 'captured'; screens: CapturedScreen[]; result: CommandResult; dirtied: string[] }
  /** No usable screenshots; `problem` says why in one sentence, `details` lists each issue. */
  | { kind: 'failed'; problem: string; details: string[]; result?: CommandResult }
  | { kind: 'aborted'; result?: CommandResult };

const CAPTURE_OUTPUT_CAP = 256 * 1024;

/** The variables the capture command receives (values only; nothing is interpolated). */
export function captureEnvironment(
  input: Omit<CaptureInput, 'env' | 'signal' | 'config'> & { captureDir: string },
): Record<string, string> {
  return {
    PI_VISUAL_CAPTURE_DIR: input.captureDir,
    PI_VISUAL_ITERATION: String(input.iteration),
    PI_VISUAL_PHASE: input.phase ?? '',
    PI_VISUAL_TASK: input.task,
    // One path per line: paths with spaces survive, and `while read -r f` reads them.
    PI_VISUAL_CHANGED_FILES: input.changedFiles.join('\n'),
  };
}

const isWithin = (parent: string, child: string) => {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

/** Why the capture dir may not be emptied, if it may not. */
export async function captureDirProblem(config: CaptureConfig): Promise<string | undefined> {
  const dir = path.resolve(config.visualCaptureDir);
  const named = `visualCaptureDir (${dir})`;
  if (isWithin(dir, config.repoRoot))
    return `${named} is the repository or contains it; it is emptied before every capture, so it must be a scratch directory`;
  // Emptying the runtime dir would delete the run lock, state and history mid-run.
  for (const own of [
    config.piRuntimeDir,
    config.activeRunFile,
    config.stateFile,
    config.visualFeedbackFile,
    config.visualReviewHistoryDir,
  ]) {
    if (isWithin(dir, path.resolve(own)))
      return `${named} contains the harness's own ${own}; it is emptied before every capture, so it must be a directory of its own`;
  }
  if (isWithin(dir, homedir()))
    return `${named} is the home directory or contains it; it is emptied before every capture, so it must be a scratch directory`;
  if (isWithin(config.repoRoot, dir)) {
    const tracked = await git(config.repoRoot, ['ls-files', '-z', '--', path.relative(config.repoRoot, dir)]).catch(
      () => '',
    );
    if (tracked.split('\0').some(Boolean))
      return `${named} holds files tracked by git; it is emptied before every capture, so it must be a scratch directory`;
  }
  return undefined;
}

/** Empties the capture dir, runs the capture command, and checks what it wrote. */
export async function runCapture(input: CaptureInput): Promise<CaptureOutcome> {
  const { config } = input;
  const command = config.visualCaptureCommand?.trim() ?? '';
  if (command === '') {
    return { kind: 'failed', problem: 'visualCaptureCommand is not set: nothing takes the screenshots', details: [] };
  }
  const captureDir = path.resolve(config.visualCaptureDir);
  const refused =
    (await captureDirProblem(config)) ?? (await emptyCaptureDir(captureDir, path.resolve(config.piRuntimeDir)));
  if (refused) return { kind: 'failed', problem: refused, details: [] };
  // Screenshots inside the repo must not show up as the next iteration's changes.
  await excludeFromGit(config.repoRoot, captureDir).catch(() => false); // not a git repo: nothing to exclude from
  const ownPaths = [toRepoRelative(config.repoRoot, config.piRuntimeDir), toRepoRelative(config.repoRoot, captureDir)];
  const dirtyBefore = new Set(await userDirtyPaths(config.repoRoot, ownPaths).catch(() => []));

  const result = await runCommand({
    command,
    cwd: config.repoRoot,
    timeoutSeconds: config.visualCaptureTimeoutSeconds,
    maxOutputBytes: CAPTURE_OUTPUT_CAP,
    env: { ...input.env, ...captureEnvironment({ ...input, captureDir }) },
    ...(input.signal ? { signal: input.signal } : {}),
  });
  switch (result.outcome) {
    case 'aborted':
      return { kind: 'aborted', result };
    case 'timed_out':
      return {
        kind: 'failed',
        problem: `the capture command did not finish within visualCaptureTimeoutSeconds (${config.visualCaptureTimeoutSeconds}s)`,
        details: [],
        result,
      };
    case 'failed': {
      const how = result.spawnError
        ? `could not start (${result.spawnError})`
        : result.signal
          ? `was killed by ${result.signal}`
          : `failed (exit ${result.exitCode})`;
      return { kind: 'failed', problem: `the capture command ${how}`, details: [], result };
    }
    default:
      break;
  }
  const check = await validateCapture(captureDir);
  if (!check.ok) return { kind: 'failed', problem: 'the capture manifest is invalid', details: check.problems, result };
  const dirtied = (await userDirtyPaths(config.repoRoot, ownPaths).catch(() => [])).filter(
    (file) => !dirtyBefore.has(file),
  );
  return { kind: 'captured', screens: check.screens, result, dirtied };
}
