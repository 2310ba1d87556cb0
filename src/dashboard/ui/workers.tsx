/** A parallel run's workers: each one's task, what it is doing, its turn in flight; then the merge queue. */
import type { JournalFold } from '../../journal/fold/fold.js';
import { mergeQueueOf, workerViews } from '../../journal/fold/worker-views.js';
import { duration } from './format.js';

export function Workers(props: { fold: JournalFold; now: number }) {
  const { fold, now } = props;
  const queue = mergeQueueOf(fold);
  return (
    <div data-testid="workers">
      <h2>Workers</h2>
      <table class="workers">
        <thead>
          <tr>
            <th>worker</th>
            <th>task</th>
            <th>step</th>
            <th>turn in flight</th>
          </tr>
        </thead>
        <tbody>
          {workerViews(fold, now).map((view) => (
            <tr key={view.worker} data-worker={view.worker} data-phase={view.phase}>
              <th>{view.worker}</th>
              <td>{view.task ? `${view.iteration}: ${view.task}` : '—'}</td>
              <td class="step">{view.step}</td>
              <td class="turn">
                {view.turn
                  ? `${view.turn.role}, ${duration(view.turn.elapsedMs)}, ${view.turn.toolCalls} tool calls` +
                    (view.turn.lastTool ? ` (last: ${view.turn.lastTool})` : '')
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted" data-testid="merge-queue">
        merge queue:{' '}
        {queue.merging
          ? `merging ${queue.merging}${queue.waiting.length > 0 ? `, waiting: ${queue.waiting.join(', ')}` : ''}`
          : 'empty'}
      </p>
    </div>
  );
}
