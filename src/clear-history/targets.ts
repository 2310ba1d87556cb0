/**
 * What clear-history may remove: the runtime directory and every harness file path the
 * configuration names (RUNTIME_FILE_DEFAULTS fields, wherever they were configured to live), plus
 * the leftovers the harness writes next to such a file when it lives outside the runtime
 * directory (atomic-write temp files, `.corrupt-*` and `.stale-*` copies kept aside); and, out of
 * the work tree's reach, this work tree's state and run journals and the stale locks kept aside
 * (`homeTargets`). Never the task file or instruction files: those are the user's; never the lock
 * itself, nor another work tree's state.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { RUNTIME_FILE_DEFAULTS, type RuntimeFileKey } from '../config/schema.js';
import type { HarnessHome } from '../runtime/harness-home.js';

export interface Target {
  /** Absolute, lexically resolved (symlinks are judged by the safety checks, not here). */
  path: string;
  /** The config fields that name it, e.g. `piRuntimeDir`, `logFile`, `logFile (leftover)`. */
  fields: string[];
  /** Set for the harness's files under the git common directory (judged by their own rules). */
  home?: string;
}

/** `inner` is `outer` or lies under it (lexically). */
export function isWithin(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Names the harness leaves next to `file`: `.<name>.<pid>.<hex>.tmp`, `<name>.corrupt-*`, `<name>.stale-*`. */
async function leftoversOf(file: string): Promise<string[]> {
  const base = escapeRegExp(path.basename(file));
  const pattern = new RegExp(`^(?:\\.${base}\\.\\d+\\.[0-9a-f]+\\.tmp|${base}\\.(?:corrupt|stale)-.+)$`);
  try {
    const names = await readdir(path.dirname(file));
    return names.filter((name) => pattern.test(name)).map((name) => path.join(path.dirname(file), name));
  } catch {
    return [];
  }
}

export async function harnessTargets(config: Config): Promise<Target[]> {
  const named = new Map<string, string[]>();
  const add = (file: string, field: string) => named.set(file, [...(named.get(file) ?? []), field]);
  add(path.resolve(config.piRuntimeDir), 'piRuntimeDir');
  for (const field of Object.keys(RUNTIME_FILE_DEFAULTS) as RuntimeFileKey[]) {
    const file = path.resolve(config[field]);
    add(file, field);
    if (!isWithin(file, config.piRuntimeDir))
      for (const leftover of await leftoversOf(file)) add(leftover, `${field} (leftover)`);
  }
  const all = [...named.entries()].map(([file, fields]) => ({ path: file, fields }));
  // A path under another target goes with it; its fields are credited to the outer one.
  const outer = all.filter((target) => !all.some((other) => other !== target && isWithin(target.path, other.path)));
  for (const target of outer) {
    for (const other of all)
      if (other !== target && isWithin(other.path, target.path))
        target.fields.push(...other.fields.filter((f) => !target.fields.includes(f)));
  }
  return outer.sort((a, b) => a.path.localeCompare(b.path));
}

/** The harness's files out of the work tree's reach that belong to this work tree's history. */
export async function homeTargets(home: HarnessHome): Promise<Target[]> {
  const targets: Target[] = [
    { path: home.stateFile, fields: ['state'], home: home.repoDir },
    { path: home.runsDir, fields: ['run journals'], home: home.repoDir },
  ];
  for (const leftover of await leftoversOf(home.stateFile))
    targets.push({ path: leftover, fields: ['state (leftover)'], home: home.repoDir });
  for (const leftover of await leftoversOf(home.lockFile))
    if (!path.basename(leftover).startsWith('.'))
      targets.push({ path: leftover, fields: ['stale lock kept aside'], home: home.repoDir });
  return targets;
}
