/** `pi-harness status [--json]`: where the active run (or the last one) stands, from its journal alone. */
import { readRuntimePaths } from '../../config/runtime-paths.js';
import { buildStatus } from '../../report/status.js';
import { renderStatus } from '../../report/status-text.js';
import { findRepoRoot } from '../../workspace/repo-root.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

export interface StatusCommandOptions {
  json: boolean;
  /** `--config FILE`. */
  configFile?: string;
  /** The full configuration loader, for a configuration the light reader leaves to it. */
  loadConfig: () => Promise<{ repoRoot: string; piRuntimeDir: string; activeRunFile: string }>;
}

export async function statusCommand(io: CliIo, options: StatusCommandOptions): Promise<ExitCode> {
  const now = Date.now();
  const repoRoot = await findRepoRoot(io.cwd);
  const paths =
    (await readRuntimePaths({
      repoRoot,
      cwd: io.cwd,
      env: io.env,
      ...(options.configFile ? { configFile: options.configFile } : {}),
    })) ?? (await options.loadConfig());
  const status = await buildStatus(paths, now);
  io.stdout(options.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status, now));
  return EXIT.ok;
}
