/**
 * The environment pi (and so every git command an agent runs) gets, so that git itself refuses
 * what it can, whatever the command line looks like:
 *
 * - Pushes: `GIT_ALLOW_PROTOCOL` set to the empty list. git then allows no transport at all — ssh,
 *   https, git, file (local paths included), ext — and, unlike configuration, this variable
 *   overrides `-c protocol.allow=always` and `-c protocol.<name>.allow=always` given on the command
 *   line; `--no-verify` concerns hooks, not transports. The alternatives are weaker: a
 *   `url.<x>.pushInsteadOf` mapping is undone by a longer `-c url.….pushInsteadOf` or a `-c
 *   remote.<name>.pushurl`, `push.default=nothing` by naming a refspec, a pre-push hook by
 *   `--no-verify`. The price: fetch, pull, clone and submodule updates are refused too, which an
 *   unattended iteration working on the repository in front of it does not need.
 * - Hooks: `core.hooksPath` (through GIT_CONFIG_COUNT/KEY/VALUE, which beat every config file)
 *   points at the copy of the repository's hooks taken at run start, so a hook the agent plants in
 *   .git/hooks never runs in its own git commands, while the user's hooks still do.
 * - `core.fsmonitor=false`: an fsmonitor program named in an edited config never runs.
 *
 * Only the environment can be changed this way: an agent that rewrites it (`env -i git …`,
 * `GIT_CONFIG_COUNT=0 git …`) is refused at the tool call by the guard.
 */
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../workspace/git.js';

export interface GuardedGitEnvOptions {
  /** The copy of the repository's hooks taken at run start (absolute). */
  hooksPath: string;
  /** pi's environment otherwise; configuration it already passes this way is kept. */
  baseEnv?: NodeJS.ProcessEnv;
}

/** The variables to set in pi's environment (on top of `baseEnv`). */
export function guardedGitEnv(options: GuardedGitEnvOptions): Record<string, string> {
  const base = options.baseEnv ?? process.env;
  const existing = Number.parseInt(base.GIT_CONFIG_COUNT ?? '0', 10);
  let count = Number.isInteger(existing) && existing > 0 ? existing : 0;
  const env: Record<string, string> = { GIT_ALLOW_PROTOCOL: '' };
  const settings: [string, string][] = [
    ['core.hooksPath', options.hooksPath],
    ['core.fsmonitor', 'false'],
  ];
  for (const [key, value] of settings) {
    env[`GIT_CONFIG_KEY_${count}`] = key;
    env[`GIT_CONFIG_VALUE_${count}`] = value;
    count++;
  }
  env.GIT_CONFIG_COUNT = String(count);
  return env;
}

/**
 * Where the run-start copy of the hooks lives: under the git common directory, out of the agent's
 * reach; one copy per run (`runId`), so two runs never replace each other's.
 */
export function runStartHooksDir(gitCommonDir: string, runId?: string): string {
  const dir = path.join(gitCommonDir, 'pi-harness', 'hooks');
  return runId === undefined ? dir : path.join(dir, runId);
}

export interface HooksCopy {
  /** Where the repository's hooks were (its core.hooksPath, or .git/hooks). */
  source: string;
  destination: string;
  /** The hooks copied (sample hooks are left out). */
  hooks: string[];
}

/**
 * Copies the repository's hooks as they are now (once, at run start) to `destination`, replacing
 * an older copy. Symlinked hooks are copied as the files they point to, so a later change to the
 * target does not reach the copy. A repository without hooks gets an empty directory: no hook runs.
 */
export async function copyRunStartHooks(repoRoot: string, destination: string): Promise<HooksCopy> {
  const relative = (await git(repoRoot, ['rev-parse', '--git-path', 'hooks'], { repositoryHooksPath: true })).trim();
  const source = path.resolve(repoRoot, relative);
  await rm(destination, { recursive: true, force: true });
  await mkdir(destination, { recursive: true });
  const isDirectory = await stat(source).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory || path.resolve(source) === path.resolve(destination)) return { source, destination, hooks: [] };
  const names = (await readdir(source)).filter((name) => !name.endsWith('.sample'));
  for (const name of names) {
    await cp(path.join(source, name), path.join(destination, name), { recursive: true, dereference: true });
  }
  return { source, destination, hooks: names.sort() };
}
