/**
 * Every ref and the whole stash in one `git for-each-ref` (the stash's reflog only when there is a
 * stash): the snapshot reads them before every iteration and compares them again before the commit
 * and at the iteration's end. The same listing says what each ref peels to, so pinning them needs
 * no second read for the usual refs (branches, and tags of commits).
 */
import { git } from '../../workspace/git.js';
import type { StashEntry } from './types.js';

export const GUARD_REF_PREFIX = 'refs/pi-harness/guardrails/';
const STASH_REF = 'refs/stash';
const FORMAT = '--format=%(refname)%00%(objectname)%00%(symref)%00%(objecttype)%00%(*objecttype)%00%(*objectname)%00';
const FIELDS = 6;

export interface RefState {
  /** Every ref except the stash and the guard's own pins: name → object id, or `ref: <target>`. */
  refs: Record<string, string>;
  /** The stash's reflog, newest first. */
  stash: StashEntry[];
  /** The commits the refs peel to, where the listing says (a branch, a tag of a commit). */
  peeled: Map<string, string>;
}

export async function readRefState(repoRoot: string): Promise<RefState> {
  const output = await git(repoRoot, ['for-each-ref', FORMAT]);
  const refs: Record<string, string> = {};
  const peeled = new Map<string, string>();
  let hasStash = false;
  const fields = output.split('\0');
  for (let i = 0; i + FIELDS - 1 < fields.length; i += FIELDS) {
    const [rawName, object, symref, type, peeledType, peeledObject] = fields.slice(i, i + FIELDS) as string[];
    const name = rawName!.replace(/^\n/, '');
    if (name === STASH_REF) hasStash = true;
    if (!name || name === STASH_REF || name.startsWith(GUARD_REF_PREFIX)) continue;
    refs[name] = symref ? `ref: ${symref}` : object!;
    if (type === 'commit') peeled.set(object!, object!);
    else if (type === 'tag' && peeledType === 'commit') peeled.set(object!, peeledObject!);
  }
  return { refs, stash: hasStash ? await readStashLog(repoRoot) : [], peeled };
}

async function readStashLog(repoRoot: string): Promise<StashEntry[]> {
  const output = await git(repoRoot, ['log', '-g', '--format=%H%x00%gs%x00', STASH_REF]);
  const fields = output.split('\0');
  const entries: StashEntry[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    entries.push({ commit: fields[i]!.trim(), message: fields[i + 1]! });
  }
  return entries;
}
