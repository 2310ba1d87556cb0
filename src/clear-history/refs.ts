/**
 * The harness's git refs: `refs/pi-harness/rescue/*` (failed iterations' work) and
 * `refs/pi-harness/predirty/*` (snapshots of files that were dirty before an iteration). They hold
 * the user's work, so clear-history removes them only when asked (`--refs`).
 */
import { git } from '../workspace/git.js';

export const HARNESS_REF_PREFIX = 'refs/pi-harness/';

export async function listHarnessRefs(repoRoot: string): Promise<string[]> {
  const output = await git(repoRoot, ['for-each-ref', '--format=%(refname)', HARNESS_REF_PREFIX]);
  return output.split('\n').filter(Boolean);
}

/** Deletes `refs` in one transaction (all or none). */
export async function deleteRefs(repoRoot: string, refs: readonly string[]): Promise<void> {
  if (refs.length === 0) return;
  await git(repoRoot, ['update-ref', '--stdin'], { input: `${refs.map((ref) => `delete ${ref}`).join('\n')}\n` });
}
