/** The runs `report` reads, newest first: this version's journals and those earlier versions left in the runtime dir. */
import { listRunJournals, type HarnessHome } from '../runtime/harness-home.js';

export interface RunDir {
  runId: string;
  journal: string;
}

/**
 * Only runs with a journal count: a start refused by the lock (exit 3) leaves an empty run
 * directory behind, and that is not a run.
 */
export function listRunDirs(home: HarnessHome): RunDir[] {
  return listRunJournals(home).map(({ runId, journal }) => ({ runId, journal }));
}
