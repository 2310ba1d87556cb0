/**
 * Files the report points at but does not interpret: failure artifacts (the journal projections
 * write `<runId>-iteration-<i>[-<n>].json` and `.md` per failure; see docs/journal.md) and the last
 * iteration summary's large-file warnings (for journals whose iteration_end does not carry them).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { numberField, objectList, stringField } from '../util/json.js';
import type { LargeFileWarning } from './types.js';

export const FAILURE_ARTIFACT_LIMIT = 20;

export interface FailureArtifacts {
  dir: string;
  total: number;
  /** The newest `limit`, repo-relative. */
  paths: string[];
  /** Every artifact named `<runId>-iteration-<i>[-<n>].<ext>`, keyed `<runId>#<i>`, repo-relative. */
  byIteration: Map<string, string[]>;
}

const ARTIFACT_NAME = /^(.+)-iteration-(\d+)(?:-(\d+))?\.[A-Za-z]+$/;

export async function listFailureArtifacts(
  repoRoot: string,
  dir: string,
  limit = FAILURE_ARTIFACT_LIMIT,
): Promise<FailureArtifacts> {
  const shownDir = path.relative(repoRoot, dir) || '.';
  const byIteration = new Map<string, string[]>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { dir: shownDir, total: 0, paths: [], byIteration };
  }
  // In failure order: the first failure of an iteration (`-iteration-2.md`), then `-2`, `-3`...
  const artifacts = names.flatMap((name) => {
    const match = ARTIFACT_NAME.exec(name);
    return match ? [{ name, key: `${match[1]}#${match[2]}`, n: Number(match[3] ?? 1) }] : [];
  });
  artifacts.sort((a, b) => a.n - b.n || a.name.localeCompare(b.name));
  for (const { name, key } of artifacts)
    byIteration.set(key, [...(byIteration.get(key) ?? []), path.relative(repoRoot, path.join(dir, name))]);
  const entries = await Promise.all(
    names
      .filter((name) => !name.startsWith('.'))
      .map(async (name) => ({
        name,
        mtime: await stat(path.join(dir, name)).then(
          (s) => s.mtimeMs,
          () => 0,
        ),
      })),
  );
  entries.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
  return {
    dir: shownDir,
    total: entries.length,
    paths: entries.slice(0, limit).map((entry) => path.relative(repoRoot, path.join(dir, entry.name))),
    byIteration,
  };
}

export interface SummaryLargeFiles {
  runId: string;
  iteration: number;
  largeFiles: LargeFileWarning[];
}

/** The large files the last iteration summary names, if it is readable and names any. */
export async function readSummaryLargeFiles(file: string): Promise<SummaryLargeFiles | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const summary = value as Record<string, unknown>;
    const runId = stringField(summary, 'runId');
    const iteration = numberField(summary, 'iteration');
    if (!runId || iteration === undefined) return undefined;
    const largeFiles = objectList(summary, 'largeFiles').flatMap((entry) => {
      const file = stringField(entry, 'path');
      const lines = numberField(entry, 'lines');
      return file && lines !== undefined ? [{ path: file, lines }] : [];
    });
    return { runId, iteration, largeFiles };
  } catch {
    return undefined;
  }
}
