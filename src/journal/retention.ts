/**
 * Retention: keeps the newest `keepRuns` runs (the current run counts as one and is never
 * removed) and removes the older ones at run start — each run's directory out of the work tree's
 * reach (its journal, pi's files) and its projection directory under `<piRuntimeDir>/runs`, and
 * the directories earlier versions wrote there with the journal inside. Only directories named
 * like run ids, directly inside a `runs/`, are ever considered; symlinks and anything else are
 * left alone. Repo-level histories (telemetry, token usage, failure artifacts, tester feedback)
 * are not pruned: they are small and outlive the run directories on purpose.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { JOURNAL_FILE, type HarnessHome } from '../runtime/harness-home.js';

/** `20261124T104700Z-a1b2c3` (runtime/run-id.ts). */
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;
/** A run directory without a journal is a start refused by the lock; give a live one time to exit. */
const LEFTOVER_AGE_MS = 10 * 60 * 1000;

export interface PruneResult {
  removed: string[];
  kept: string[];
}

export type RunPlaces = Pick<HarnessHome, 'runsDir' | 'runtimeRunsDir'>;

/** Run directories (real ones, named like run ids) directly inside `runsDir`. */
function runDirsIn(runsDir: string): string[] {
  try {
    return readdirSync(runsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && RUN_ID.test(entry.name))
      .map((entry) => path.join(runsDir, entry.name));
  } catch {
    return [];
  }
}

export function pruneRunDirs(
  places: RunPlaces,
  keepRuns: number,
  currentRunId: string,
  now: number = Date.now(),
): PruneResult {
  // A missing or nonsensical limit must never mean "remove everything".
  if (!Number.isInteger(keepRuns) || keepRuns < 1) return { removed: [], kept: [] };
  const dirs = [...runDirsIn(places.runsDir), ...runDirsIn(places.runtimeRunsDir)].filter(
    (dir) => path.basename(dir) !== currentRunId,
  );
  const withJournal = [
    ...new Set(dirs.filter((dir) => existsSync(path.join(dir, JOURNAL_FILE))).map((dir) => path.basename(dir))),
  ]
    .sort()
    .reverse();
  const keep = new Set(withJournal.slice(0, Math.max(0, keepRuns - 1)));
  const removed: string[] = [];
  for (const dir of dirs) {
    const runId = path.basename(dir);
    if (keep.has(runId)) continue;
    if (!withJournal.includes(runId) && now - statSync(dir).mtimeMs < LEFTOVER_AGE_MS) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return { removed, kept: [currentRunId, ...keep] };
}
