/**
 * Putting a repository back as the snapshot found it, after an iteration: refs moved or deleted
 * are set back (unless the caller declares the move its own), refs created are kept and reported,
 * missing stash entries come back as stash entries, config and hooks get their old bytes (planted
 * hooks are moved aside), deleted ignored files are rewritten byte for byte. Nothing the agent made
 * is deleted: it is kept, or moved aside, and reported.
 */
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, rename, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { errorMessage } from '../../util/errors.js';
import { isAncestor } from '../../workspace/ancestry.js';
import { git } from '../../workspace/git.js';
import { blobIdOfFile, formatOfId } from './blob-id.js';
import { rememberedBlobId } from './ignored-files.js';
import { protectedPaths, protectedPathsInNewCommits, stashEntryWithout } from './protected-content.js';
import { readRefState, type RefState } from './read-refs.js';
import { listFolder } from './take.js';
import type {
  GitSnapshot,
  OwnRef,
  RestoreOptions,
  RestoreRecord,
  RestoreResult,
  StashEntry,
  StoredFile,
} from './types.js';

const execFileAsync = promisify(execFile);

export async function restoreSnapshot(snapshot: GitSnapshot, options: RestoreOptions = {}): Promise<RestoreResult> {
  const records: RestoreRecord[] = [];
  const apply = options.dryRun !== true;
  const attempt = async (target: string, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      records.push({ kind: 'restore_failed', target, error: errorMessage(error) });
    }
  };
  // One listing for both: putting refs back never touches the stash.
  let listing: Promise<RefState> | undefined;
  const now = () => {
    listing ??= readRefState(snapshot.repoRoot);
    return listing;
  };
  await attempt('refs', async () => restoreRefs(snapshot, options.ownRefs ?? {}, records, apply, (await now()).refs));
  await attempt('refs/stash', async () => restoreStash(snapshot, records, apply, (await now()).stash));
  for (const file of snapshot.gitFiles) await attempt(file.file, () => restoreGitFile(snapshot, file, records, apply));
  await attempt('hooks', () => restoreHooks(snapshot, records, apply));
  for (const file of snapshot.ignored) await attempt(file.path, () => restoreIgnored(snapshot, file, records, apply));
  const visibleIgnored = await visibleIgnoredFiles(snapshot);
  for (const file of visibleIgnored) records.push({ kind: 'ignored_visible', path: file });
  return { records, visibleIgnored };
}

function ownRule(ref: string, ownRefs: Record<string, OwnRef>): OwnRef | undefined {
  if (ownRefs[ref]) return ownRefs[ref];
  const prefix = Object.keys(ownRefs).find((key) => key.endsWith('/') && ref.startsWith(key));
  return prefix ? ownRefs[prefix] : undefined;
}

async function isOwnMove(
  snapshot: GitSnapshot,
  rule: OwnRef | undefined,
  from: string | undefined,
  to: string | undefined,
) {
  if (rule === undefined) return false;
  if (rule === 'any') return true;
  if (to === undefined) return false;
  if (typeof rule === 'object') return rule.commit === to;
  if (from === undefined) return false;
  return isAncestor(snapshot.repoRoot, from, to).catch(() => false);
}

/** Points `ref` at `value` again: an object id, or `ref: <target>` for a symbolic ref. */
async function setRef(cwd: string, ref: string, value: string): Promise<void> {
  if (value.startsWith('ref: '))
    await git(cwd, ['symbolic-ref', '-m', 'pi-harness: guardrail restore', ref, value.slice(5)]);
  else await git(cwd, ['update-ref', '-m', 'pi-harness: guardrail restore', ref, value]);
}

async function restoreRefs(
  snapshot: GitSnapshot,
  ownRefs: Record<string, OwnRef>,
  records: RestoreRecord[],
  apply: boolean,
  now: Record<string, string>,
) {
  const cwd = snapshot.repoRoot;
  for (const [ref, snapshotValue] of Object.entries(snapshot.refs)) {
    const is = now[ref];
    const rule = ownRule(ref, ownRefs);
    // A ref the caller holds at one commit belongs there, wherever the snapshot found it: the
    // caller may have moved it since (a parallel run's merge queue moving the start branch).
    const was = typeof rule === 'object' ? rule.commit : snapshotValue;
    if (is === was || (await isOwnMove(snapshot, rule, snapshotValue, is))) continue;
    if (apply) await setRef(cwd, ref, was);
    records.push({
      kind: 'ref_restored',
      ref,
      change: is === undefined ? 'deleted' : 'moved',
      from: is ?? null,
      to: was,
    });
  }
  const secret = protectedPaths(snapshot);
  for (const [ref, is] of Object.entries(now)) {
    if (ref in snapshot.refs || (await isOwnMove(snapshot, ownRule(ref, ownRefs), undefined, is))) continue;
    const holding = await protectedPathsInNewCommits(snapshot, is, secret);
    if (holding.length === 0) {
      records.push({ kind: 'ref_created', ref, target: is, action: 'kept' });
      continue;
    }
    if (apply) await git(cwd, ['update-ref', '-m', 'pi-harness: guardrail restore', '-d', ref, is]);
    records.push({ kind: 'ref_created', ref, target: is, action: 'deleted', holding });
  }
}

/**
 * Rebuilds the stash when entries went missing (the old ones in order, then any the agent added),
 * or when an entry the agent added holds files ignored at the start (rebuilt without them).
 */
async function restoreStash(
  snapshot: GitSnapshot,
  records: RestoreRecord[],
  apply: boolean,
  now: StashEntry[],
): Promise<void> {
  const cwd = snapshot.repoRoot;
  const present = new Set(now.map((entry) => entry.commit));
  const missing = snapshot.stash.filter((entry) => !present.has(entry.commit));
  const known = new Set(snapshot.stash.map((entry) => entry.commit));
  const secret = protectedPaths(snapshot);
  let scrubbed = false;
  const added: StashEntry[] = [];
  for (const entry of now.filter((e) => !known.has(e.commit))) {
    const clean = await stashEntryWithout(cwd, entry.commit, secret);
    if (clean) {
      scrubbed = true;
      records.push({ kind: 'stash_scrubbed', message: entry.message, removed: clean.removed });
    }
    added.push({ commit: apply && clean ? clean.commit : entry.commit, message: entry.message });
  }
  if (missing.length > 0) records.push({ kind: 'stash_restored', entries: missing });
  if (!apply || (missing.length === 0 && !scrubbed)) return;
  await git(cwd, ['update-ref', '-d', 'refs/stash']).catch(() => undefined);
  // The whole reflog goes with the ref, so every entry is stored again, oldest first.
  const kept = missing.length > 0 ? snapshot.stash : now.filter((entry) => known.has(entry.commit));
  for (const entry of [...[...kept].reverse(), ...[...added].reverse()]) {
    await git(cwd, ['stash', 'store', '-m', entry.message, entry.commit]);
  }
}

/** A blob's bytes, unchanged (the text runner would decode them). */
async function blobBytes(cwd: string, blob: string): Promise<Buffer> {
  const { stdout } = await execFileAsync('git', ['cat-file', 'blob', blob], {
    cwd,
    encoding: 'buffer',
    maxBuffer: 128 * 1024 * 1024,
    timeout: 60_000,
  });
  return stdout;
}

/** The file's blob id now, in the format of the id it is compared with (computed here, no git process). */
async function currentBlob(file: string, stored: string | null | undefined): Promise<string | null> {
  const stats = await lstat(file, { bigint: true }).catch(() => undefined);
  if (!stats?.isFile()) return stats ? 'not-a-file' : null;
  // The same file as when its blob was stored (as git's index tells, by inode, size and times): the
  // same bytes, not read again. The dozen sample hooks of every repository are compared twice an
  // iteration.
  if (stored && rememberedBlobId(file, stats) === stored) return stored;
  return blobIdOfFile(file, formatOfId(stored));
}

function asideName(snapshot: GitSnapshot, kind: string, name: string): string {
  return path.join(snapshot.gitCommonDir, 'pi-harness', 'guardrails', kind, snapshot.label, name);
}

async function restoreGitFile(
  snapshot: GitSnapshot,
  entry: GitSnapshot['gitFiles'][number],
  records: RestoreRecord[],
  apply: boolean,
): Promise<void> {
  const now = await currentBlob(entry.file, entry.blob);
  if (now === entry.blob) return;
  if (!apply) {
    const change = entry.blob === null ? 'created' : now === null ? 'deleted' : 'modified';
    records.push({ kind: 'git_file_restored', file: entry.file, change });
    return;
  }
  if (entry.blob === null) {
    const movedTo = asideName(snapshot, 'created-files', entry.name);
    await mkdir(path.dirname(movedTo), { recursive: true });
    await rename(entry.file, movedTo);
    records.push({ kind: 'git_file_restored', file: entry.file, change: 'created', movedTo });
    return;
  }
  await writeFileAtomic(entry.file, await blobBytes(snapshot.repoRoot, entry.blob));
  records.push({ kind: 'git_file_restored', file: entry.file, change: now === null ? 'deleted' : 'modified' });
}

async function restoreHooks(snapshot: GitSnapshot, records: RestoreRecord[], apply: boolean): Promise<void> {
  const dir = path.join(snapshot.gitCommonDir, 'hooks');
  const now = new Map((await listFolder(dir)).map((file) => [file.path, file]));
  for (const hook of snapshot.hooks) {
    const file = path.join(dir, hook.path);
    const current = now.get(hook.path);
    const same =
      current !== undefined &&
      current.symlink === hook.symlink &&
      current.mode === hook.mode &&
      (hook.symlink !== undefined || (await currentBlob(file, hook.blob)) === hook.blob);
    if (same) continue;
    if (apply) await writeStored(snapshot.repoRoot, file, hook);
    records.push({ kind: 'hook_restored', hook: hook.path, change: current === undefined ? 'deleted' : 'modified' });
  }
  const known = new Set(snapshot.hooks.map((hook) => hook.path));
  for (const name of now.keys()) {
    if (known.has(name)) continue;
    const movedTo = asideName(snapshot, 'planted-hooks', name);
    if (apply) {
      await mkdir(path.dirname(movedTo), { recursive: true });
      await rename(path.join(dir, name), movedTo);
    }
    records.push({ kind: 'hook_removed', hook: name, movedTo });
  }
}

async function writeStored(cwd: string, file: string, stored: StoredFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const existing = await lstat(file).catch(() => undefined);
  if (existing && !existing.isDirectory()) await unlink(file);
  if (stored.symlink !== undefined) {
    await symlink(stored.symlink, file);
    return;
  }
  await writeFileAtomic(file, await blobBytes(cwd, stored.blob!), { mode: stored.mode });
  await chmod(file, stored.mode);
}

async function restoreIgnored(
  snapshot: GitSnapshot,
  file: StoredFile,
  records: RestoreRecord[],
  apply: boolean,
): Promise<void> {
  const absolute = path.join(snapshot.repoRoot, file.path);
  const stats = await lstat(absolute).catch(() => undefined);
  if (stats === undefined) {
    if (apply) await writeStored(snapshot.repoRoot, absolute, file);
    records.push({ kind: 'ignored_restored', path: file.path });
    return;
  }
  if (file.symlink !== undefined || !stats.isFile()) return;
  const now = await currentBlob(absolute, file.blob);
  if (now !== file.blob)
    records.push({ kind: 'ignored_changed', path: file.path, original: file.blob!, action: 'kept' });
}

/** Files ignored at the start that git now shows (untracked but not ignored, or tracked). */
async function visibleIgnoredFiles(snapshot: GitSnapshot): Promise<string[]> {
  const kept = new Set([...snapshot.ignored.map((file) => file.path), ...snapshot.unprotected]);
  if (kept.size === 0) return [];
  const cwd = snapshot.repoRoot;
  const untracked = await git(cwd, ['ls-files', '-z', '--others', '--exclude-standard']);
  const tracked = await git(cwd, ['ls-files', '-z', '--cached']);
  const shown = new Set([...untracked.split('\0'), ...tracked.split('\0')]);
  return [...kept].filter((file) => shown.has(file)).sort();
}
