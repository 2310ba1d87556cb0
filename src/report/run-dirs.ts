/** Run directories under `<piRuntimeDir>/runs/`, newest first (run ids sort by their start time). */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export const JOURNAL_FILE = 'journal.jsonl';

export interface RunDir {
  runId: string;
  journal: string;
}

/**
 * Only directories holding a journal count as runs: a start refused by the lock (exit 3) leaves an
 * empty run directory behind, and that is not a run.
 */
export async function listRunDirs(runtimeDir: string): Promise<RunDir[]> {
  const runsDir = path.join(runtimeDir, 'runs');
  let names: string[];
  try {
    names = (await readdir(runsDir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
  names.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const dirs = names.map((runId) => ({ runId, journal: path.join(runsDir, runId, JOURNAL_FILE) }));
  const present = await Promise.all(
    dirs.map((dir) =>
      stat(dir.journal).then(
        (s) => s.isFile(),
        () => false,
      ),
    ),
  );
  return dirs.filter((_, index) => present[index]);
}
