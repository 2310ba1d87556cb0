/**
 * The paths the harness writes in the work tree: its runtime directory, and every runtime file
 * field (`logFile`, `stateFile`, `telemetryJsonl`, `failureArtifactDir`, …) configured to a place
 * inside the repository but outside that directory. All of them are the harness's, not the
 * user's: kept out of git through `info/exclude`, never counted as changes or dirty files, never
 * committed.
 */
import path from 'node:path';
import type { Config } from '../config/load.js';
import { RUNTIME_FILE_DEFAULTS, type RuntimeFileKey } from '../config/schema.js';
import { toRepoRelative } from '../workspace/changes.js';
import { excludeFromGit, type ExcludedPath } from '../workspace/exclude.js';

export type OwnPathsConfig = Pick<Config, 'repoRoot' | 'piRuntimeDir' | RuntimeFileKey>;

const isInside = (inner: string, outer: string) => {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

/** Fields that name a directory (the others name a file). */
const isDirectoryField = (field: RuntimeFileKey) => field.endsWith('Dir');

/** The harness's paths inside the repository, with whether each is a directory. */
export function ownPathEntries(config: OwnPathsConfig): ExcludedPath[] {
  const entries: ExcludedPath[] = [];
  const add = (absolute: string, directory: boolean) => {
    if (!isInside(absolute, config.repoRoot) || absolute === config.repoRoot) return;
    const relative = toRepoRelative(config.repoRoot, absolute);
    if (!entries.some((entry) => entry.path === relative)) entries.push({ path: relative, directory });
  };
  add(path.resolve(config.piRuntimeDir), true);
  for (const field of Object.keys(RUNTIME_FILE_DEFAULTS) as RuntimeFileKey[]) {
    const file = path.resolve(config[field]);
    if (!isInside(file, config.piRuntimeDir)) add(file, isDirectoryField(field));
  }
  return entries;
}

/** Repo-relative paths (forward slashes) the change filters treat as the harness's own. */
export function harnessOwnPaths(config: OwnPathsConfig): string[] {
  return ownPathEntries(config).map((entry) => entry.path);
}

/** Lists every own path in `info/exclude` (idempotent); false outside a git repository. */
export async function excludeOwnPaths(config: OwnPathsConfig): Promise<boolean> {
  return excludeFromGit(config.repoRoot, ownPathEntries(config)).catch(() => false);
}
