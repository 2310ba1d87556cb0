/**
 * A snapshot saved under the git common directory while its iteration runs, so that after a crash
 * the next run can still put back what the agents did before the harness died. One file per
 * iteration, named by its label; removed once the iteration has ended.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from '../../util/validator.js';
import { readJsonFile, writeFileAtomic } from '../../util/atomic-file.js';
import type { GitSnapshot } from './types.js';

const storedFile = z.object({
  path: z.string(),
  blob: z.string().optional(),
  mode: z.number(),
  symlink: z.string().optional(),
});

const snapshotSchema = z.object({
  version: z.literal(1),
  label: z.string().min(1),
  takenAt: z.string(),
  repoRoot: z.string(),
  gitDir: z.string(),
  gitCommonDir: z.string(),
  pinRef: z.string(),
  contentRef: z.string(),
  refs: z.record(z.string(), z.string()),
  stash: z.array(z.object({ commit: z.string(), message: z.string() })),
  gitFiles: z.array(
    z.object({ name: z.enum(['config', 'config.worktree']), file: z.string(), blob: z.string().nullable() }),
  ),
  hooks: z.array(storedFile),
  ignored: z.array(storedFile),
  unprotected: z.array(z.string()),
});

/** Where saved snapshots live: under the git common directory, out of the work tree's reach. */
export function savedSnapshotsDir(gitCommonDir: string): string {
  return path.join(gitCommonDir, 'pi-harness', 'guard', 'snapshots');
}

function fileOf(gitCommonDir: string, label: string): string {
  return path.join(savedSnapshotsDir(gitCommonDir), `${label}.json`);
}

export async function saveSnapshot(snapshot: GitSnapshot): Promise<void> {
  await writeFileAtomic(fileOf(snapshot.gitCommonDir, snapshot.label), `${JSON.stringify(snapshot)}\n`);
}

/** The saved snapshot labelled `label`; undefined when there is none or it cannot be read. */
export async function loadSavedSnapshot(gitCommonDir: string, label: string): Promise<GitSnapshot | undefined> {
  const validate = (value: unknown) => snapshotSchema.parse(value) as GitSnapshot;
  const read = await readJsonFile(fileOf(gitCommonDir, label), validate).catch(() => undefined);
  return read?.kind === 'ok' ? read.value : undefined;
}

export async function removeSavedSnapshot(gitCommonDir: string, label: string): Promise<void> {
  await rm(fileOf(gitCommonDir, label), { force: true });
}

/** The labels of every saved snapshot (left by iterations that never ended, or ended mid-cleanup). */
export async function savedSnapshotLabels(gitCommonDir: string): Promise<string[]> {
  const names = await readdir(savedSnapshotsDir(gitCommonDir)).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
}
