/**
 * Retention: keeps the newest `keepRuns` run directories under `<piRuntimeDir>/runs` (the current
 * run counts as one and is never removed) and removes the older ones at run start. Only
 * directories named like run ids, directly inside `runs/`, are ever considered; symlinks and
 * anything else are left alone. Repo-level histories (telemetry, token usage, failure artifacts,
 * tester feedback) are not pruned: they are small and outlive the run directories on purpose.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { RUNS_DIR } from './runner.js';

/** `20261124T104700Z-a1b2c3` (runtime/run-id.ts). */
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;
/** A run directory without a journal is a start refused by the lock; give a live one time to exit. */
const LEFTOVER_AGE_MS = 10 * 60 * 1000;

export interface PruneResult {
  removed: string[];
  kept: string[];
}

export function pruneRunDirs(
  runtimeDir: string,
  keepRuns: number,
  currentRunId: string,
  now: number = Date.now(),
): PruneResult {
  // A missing or nonsensical limit must never mean "remove everything".
  if (!Number.isInteger(keepRuns) || keepRuns < 1) return { removed: [], kept: [] };
  const runsDir = path.join(runtimeDir, RUNS_DIR);
  let entries;
  try {
    entries = readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return { removed: [], kept: [] };
  }
  const candidates = entries
    .filter((entry) => entry.isDirectory() && RUN_ID.test(entry.name) && entry.name !== currentRunId)
    .map((entry) => entry.name);
  const withJournal = candidates
    .filter((name) => existsSync(path.join(runsDir, name, 'journal.jsonl')))
    .sort()
    .reverse();
  const keep = new Set(withJournal.slice(0, Math.max(0, keepRuns - 1)));
  const removed: string[] = [];
  for (const name of candidates) {
    if (keep.has(name)) continue;
    const dir = path.join(runsDir, name);
    const isRun = withJournal.includes(name);
    if (!isRun && now - statSync(dir).mtimeMs < LEFTOVER_AGE_MS) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return { removed, kept: [currentRunId, ...keep] };
}
