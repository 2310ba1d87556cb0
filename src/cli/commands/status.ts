/** `pi-harness status [--json]`: where the active run (or the last one) stands, from its journal alone. */
import { readRuntimePaths } from '../../config/runtime-paths.js';
import { buildStatus } from '../../report/status.js';
import { renderStatus } from '../../report/status-text.js';
import { locateWorkTree } from '../../runtime/harness-home.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface StatusCommandOptions {
  json: boolean;
  /** `--config FILE`. */
  configFile?: string;
}

type RuntimePathsLoader = () => Promise<{ repoRoot: string; piRuntimeDir: string; activeRunFile: string }>;

/** The repository's top and, when one git call found them, its git directories. */
async function locate(cwd: string) {
  const located = await locateWorkTree(cwd);
  if (located) return located;
  // Outside a work tree (or inside .git): the two-call way, which answers there too.
  const { findRepoRoot } = await import('../../workspace/repo-root.js');
  return { root: await findRepoRoot(cwd), dirs: undefined };
}

/**
 * Answers from the light reading of the configuration, else from `loadConfig`; without it, a
 * configuration the light reader leaves to the full loader gives `undefined` (nothing printed).
 */
async function answer(io: CliIo, options: StatusCommandOptions, loadConfig?: RuntimePathsLoader) {
  const now = Date.now();
  const { root, dirs } = await locate(io.cwd);
  const plain = await readRuntimePaths({
    repoRoot: root,
    cwd: io.cwd,
    env: io.env,
    ...(options.configFile ? { configFile: options.configFile } : {}),
  });
  const paths = plain ?? (loadConfig ? await loadConfig() : undefined);
  if (!paths) return undefined;
  // The full loader finds the same top (it starts from findRepoRoot too); the git directories go with it.
  const status = await buildStatus(paths, now, paths.repoRoot === root ? dirs : undefined);
  io.stdout(options.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status, now));
  return EXIT.ok;
}

/** `status` from the command-line parser: `loadConfig` is the full loader, whose errors then stand. */
export async function statusCommand(
  io: CliIo,
  options: StatusCommandOptions & { loadConfig: RuntimePathsLoader },
): Promise<ExitCode> {
  return (await answer(io, options, options.loadConfig)) ?? EXIT.ok;
}

/**
 * `status` without the parser or the configuration's validator (the CLI's quick way): `undefined`
 * when the configuration needs the full loader, and the caller takes the full way.
 */
export function plainStatusCommand(io: CliIo, options: StatusCommandOptions): Promise<ExitCode | undefined> {
  return answer(io, options);
}
