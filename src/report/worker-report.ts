/** A parallel run's workers as the report shows them, read off the fold like the rest of a run. */
import type { JournalFold } from '../journal/fold/fold.js';
import { workerViews } from '../journal/fold/worker-views.js';
import type { WorkerReport } from './types.js';

/** One entry per worker, in id order; empty for a sequential run. */
export function workerReports(fold: JournalFold): WorkerReport[] {
  if (fold.workers.size === 0) return [];
  const byWorker = new Map<string, { tasks: Set<string>; iterations: number; succeeded: number }>();
  for (const it of fold.iterations) {
    if (!it.worker) continue;
    const entry = byWorker.get(it.worker) ?? { tasks: new Set<string>(), iterations: 0, succeeded: 0 };
    byWorker.set(it.worker, entry);
    entry.iterations += 1;
    if (it.status === 'succeeded') entry.succeeded += 1;
    if (it.task) entry.tasks.add(it.task.id || it.task.text);
  }
  return workerViews(fold, 0).map((view) => {
    const entry = byWorker.get(view.worker);
    return {
      worker: view.worker,
      tasks: entry?.tasks.size ?? 0,
      iterations: entry?.iterations ?? 0,
      succeeded: entry?.succeeded ?? 0,
      merged: view.merged,
      conflicts: view.conflicts,
      verifyFailed: view.verifyFailed,
    };
  });
}
