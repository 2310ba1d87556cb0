/**
 * Rescue refs (`refs/pi-harness/rescue/...`): failed iterations' work, kept by the harness. Listed
 * with their date and, when it still exists, the patch file written next to them.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../workspace/git.js';
import type { RescueRefReport } from './types.js';

export const RESCUE_REF_PREFIX = 'refs/pi-harness/rescue';
export const RESCUE_REF_LIMIT = 20;

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/**
 * `knownPatches` maps a ref to the patch file its rescue event named; refs the journals shown do
 * not mention fall back to the harness's naming (`<runtime>/rescue/<runId>-iteration-<n>.patch`).
 */
export async function listRescueRefs(
  repoRoot: string,
  runtimeDir: string,
  knownPatches: ReadonlyMap<string, string>,
  limit = RESCUE_REF_LIMIT,
): Promise<{ total: number; refs: RescueRefReport[] }> {
  const format = '%(refname)%00%(objectname)%00%(creatordate:iso-strict)%00%(subject)';
  const output = await git(repoRoot, ['for-each-ref', '--sort=-creatordate', `--format=${format}`, RESCUE_REF_PREFIX]);
  const lines = output.split('\n').filter(Boolean);
  const refs: RescueRefReport[] = [];
  for (const line of lines.slice(0, limit)) {
    const [ref = '', commit = '', date = '', subject = ''] = line.split('\0');
    const patch = knownPatches.get(ref) ?? conventionalPatch(runtimeDir, ref);
    const patchFile = patch && (await exists(patch)) ? path.relative(repoRoot, patch) : null;
    refs.push({ ref, commit, date: date || null, subject, patchFile });
  }
  return { total: lines.length, refs };
}

function conventionalPatch(runtimeDir: string, ref: string): string | undefined {
  const match = /^refs\/pi-harness\/rescue\/([^/]+)\/(.+)$/.exec(ref);
  return match ? path.join(runtimeDir, 'rescue', `${match[1]}-iteration-${match[2]}.patch`) : undefined;
}
