/** What clear-history would do, decided before anything is touched. */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { listHarnessRefs } from './refs.js';
import { judgeTarget, type Judgement } from './safety.js';
import { harnessTargets, homeTargets, type Target } from './targets.js';
import type { HarnessHome } from '../runtime/harness-home.js';
import { errorMessage } from '../util/errors.js';

export interface PlannedTarget extends Target {
  judgement: Judgement;
  /** Files under it (1 for a file or a symlink) and their bytes, for the summary. */
  files: number;
  bytes: number;
}

export interface ClearPlan {
  targets: PlannedTarget[];
  /** Refs under refs/pi-harness/. */
  refs: string[];
  /** Set when the refs could not be listed (git unavailable). */
  refsError?: string;
}

/** Counts files and bytes without following symlinks. */
async function measure(file: string): Promise<{ files: number; bytes: number }> {
  const info = await lstat(file).catch(() => undefined);
  if (!info) return { files: 0, bytes: 0 };
  if (!info.isDirectory()) return { files: 1, bytes: info.size };
  let files = 0;
  let bytes = 0;
  for (const name of await readdir(file).catch(() => [] as string[])) {
    const inner = await measure(path.join(file, name));
    files += inner.files;
    bytes += inner.bytes;
  }
  return { files, bytes };
}

export async function planClear(config: Config, home: HarnessHome): Promise<ClearPlan> {
  const targets: PlannedTarget[] = [];
  // Outside a git repository the harness's home is inside the runtime directory, removed with it.
  const all = [...(await harnessTargets(config)), ...(home.inGit ? await homeTargets(home) : [])];
  for (const target of all) {
    const judgement = await judgeTarget(config.repoRoot, target);
    const size = judgement.kind === 'remove' ? await measure(target.path) : { files: 0, bytes: 0 };
    targets.push({ ...target, judgement, ...size });
  }
  try {
    return { targets, refs: await listHarnessRefs(config.repoRoot) };
  } catch (error) {
    const message = errorMessage(error);
    // Outside a git repository there are no refs to keep or remove: nothing worth a line.
    if (/not a git repository/i.test(message)) return { targets, refs: [] };
    return { targets, refs: [], refsError: message.split('\n')[0] ?? 'git failed' };
  }
}

export const toRemove = (plan: ClearPlan) => plan.targets.filter((target) => target.judgement.kind === 'remove');
export const refused = (plan: ClearPlan) => plan.targets.filter((target) => target.judgement.kind === 'refused');
