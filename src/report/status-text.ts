/** `pi-harness status` as text: a few lines a person reads at a glance. */
import type { BudgetView } from '../journal/fold/views.js';
import type { MergeQueueView, WorkerView } from '../journal/fold/worker-views.js';
import type { StatusDocument } from './status.js';

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * 1234567 as "1,234,567". Not toLocaleString: its first call loads the locale data, which costs a
 * fresh `status` process more than reading the journal does.
 */
const number = (value: number) => {
  const [whole = '', fraction] = String(Math.round(value * 1000) / 1000).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction ? `${grouped}.${fraction}` : grouped;
};

function budgetPhrase(budget: BudgetView): string | undefined {
  switch (budget.kind) {
    case 'run_seconds':
      return `time ${duration(budget.used * 1000)}${budget.limit ? ` of ${duration(budget.limit * 1000)}` : ''}`;
    case 'run_tokens':
      return budget.limit ? `tokens ${number(budget.used)} of ${number(budget.limit)}` : undefined;
    case 'run_cost':
      return budget.limit ? `cost $${budget.used.toFixed(2)} of $${budget.limit.toFixed(2)}` : undefined;
    case 'task_tokens':
      return budget.limit ? `task tokens ${number(budget.used)} of ${number(budget.limit)}` : undefined;
  }
}

function headLine(doc: StatusDocument, now: number): string {
  const run = doc.run!;
  const what = `run ${run.id} (${run.command ?? 'run'}${run.pid ? `, pid ${run.pid}` : ''})`;
  if (doc.active) {
    const since = run.startedAt ? `, started ${duration(now - Date.parse(run.startedAt))} ago` : '';
    return `${what}: ${doc.paused ? 'PAUSED' : 'running'}${since}`;
  }
  if (run.finished)
    return `no run is active. Last: ${what} ended ${run.endedAt ?? ''}, exit ${run.exitCode}: ${run.stopReason}`;
  const why = doc.staleLock ? ` (its lock is stale: ${doc.staleLock})` : '';
  return `no run is active. Last: ${what} did not finish${why}`;
}

function turnLine(turn: NonNullable<StatusDocument['turn']>): string {
  const context =
    turn.contextTokens !== null && turn.contextWindow
      ? `, context ${Math.round((100 * turn.contextTokens) / turn.contextWindow)}% of ${number(turn.contextWindow)}`
      : '';
  const last = turn.lastTool ? ` (last: ${turn.lastTool})` : '';
  return (
    `  turn: ${turn.role}${turn.model ? ` on ${turn.model}` : ''}, ${duration(turn.elapsedMs)}, ` +
    `${turn.toolCalls} tool calls${last}, ${number(turn.tokens)} tokens${context}`
  );
}

/** A parallel run: one line per worker (its task, step and turn in flight), then the merge queue. */
function workerLines(workers: readonly WorkerView[], queue: MergeQueueView | undefined): string[] {
  const lines = workers.map((view) => {
    const task = view.task ? ` iteration ${view.iteration}: ${view.task} — ${view.step}` : ` ${view.step}`;
    const turn = view.turn
      ? ` · turn ${view.turn.role}, ${duration(view.turn.elapsedMs)}, ${view.turn.toolCalls} tool calls` +
        `${view.turn.lastTool ? ` (last: ${view.turn.lastTool})` : ''}`
      : '';
    return `  [${view.worker}]${task}${turn}`;
  });
  if (!queue) return lines;
  const waiting = queue.waiting.length > 0 ? `, waiting: ${queue.waiting.join(', ')}` : '';
  lines.push(`  merge queue: ${queue.merging ? `merging ${queue.merging}${waiting}` : 'empty'}`);
  return lines;
}

export function renderStatus(doc: StatusDocument, now: number = Date.now()): string {
  if (!doc.run) return `no run yet in ${doc.repo}\n`;
  const lines = [headLine(doc, now)];
  if (doc.workers) lines.push(...workerLines(doc.workers, doc.mergeQueue));
  else if (doc.iteration) {
    const phase = doc.iteration.phase ? ` [${doc.iteration.phase}]` : '';
    lines.push(
      `  iteration ${doc.iteration.number}: ${doc.iteration.task ?? '(unknown task)'}${phase} — ${doc.iteration.step}`,
    );
  }
  if (doc.turn && !doc.workers) lines.push(turnLine(doc.turn));
  const byStatus = Object.entries(doc.iterations.byStatus)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  lines.push(
    `  iterations: ${doc.iterations.ended} ended${byStatus ? ` (${byStatus})` : ''} · ${doc.commits} commits · ${doc.rescues} rescued`,
  );
  const tasks = Object.entries(doc.tasks)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  if (tasks.length > 0) lines.push(`  tasks: ${tasks.join(' · ')}`);
  const budgets = doc.budgets.map(budgetPhrase).filter((phrase) => phrase !== undefined);
  const cost = doc.cost > 0 ? ` · $${doc.cost.toFixed(2)}` : '';
  lines.push(`  usage: ${number(doc.tokens)} tokens${cost}${budgets.length ? ` · ${budgets.join(' · ')}` : ''}`);
  if (doc.lastIteration) {
    const last = doc.lastIteration;
    lines.push(`  last iteration: ${last.iteration} ${last.status}${last.reason ? ` (${last.reason})` : ''}`);
  }
  for (const request of doc.pendingControls) lines.push(`  control: ${request.action} waiting — ${request.plan}`);
  return `${lines.join('\n')}\n`;
}
