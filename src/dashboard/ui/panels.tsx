/** The run at a glance: the turn in flight, the budgets, the tasks by phase. */
import type { JournalFold } from '../../journal/fold/fold.js';
import { budgetsOf, tasksByPhase, type BudgetView } from '../../journal/fold/views.js';
import type { PendingControl } from './controls.js';
import { clock, dollars, duration, since, tokens } from './format.js';

export function TurnCard(props: { fold: JournalFold; now: number }) {
  const { fold, now } = props;
  const turn = fold.turn;
  const it = fold.current;
  if (!turn) {
    const what = it
      ? `iteration ${it.iteration}: ${it.step}`
      : fold.run.finished
        ? 'the run has ended'
        : 'between iterations';
    return (
      <div>
        <h2>Turn in flight</h2>
        <p class="muted" data-testid="no-turn">
          No agent turn is running ({what}).
        </p>
      </div>
    );
  }
  const context = turn.contextTokens !== null && turn.contextWindow ? turn.contextTokens / turn.contextWindow : null;
  return (
    <div data-testid="turn">
      <h2>
        Turn in flight: <span class="role">{turn.role}</span>
      </h2>
      <dl class="facts">
        <dt>model</dt>
        <dd>{turn.model ?? "pi's default"}</dd>
        <dt>elapsed</dt>
        <dd data-testid="turn-elapsed">{duration(since(turn.startedAt, now))}</dd>
        <dt>tokens</dt>
        <dd>
          {tokens(turn.usage.input + turn.usage.output)} in {turn.modelRequests} requests
          {turn.usage.cost > 0 ? `, ${dollars(turn.usage.cost)}` : ''}
        </dd>
        {context !== null ? (
          <>
            <dt>context</dt>
            <dd>
              <Bar fraction={context} /> {Math.round(context * 100)}% of {tokens(turn.contextWindow ?? 0)}
            </dd>
          </>
        ) : null}
      </dl>
      <h3>Tool calls ({turn.toolCalls})</h3>
      <ol class="tools" data-testid="tool-calls" start={Math.max(1, turn.toolCalls - 19)}>
        {turn.tools.slice(-20).map((tool) => (
          <li key={`${tool.at}-${tool.name}`}>
            <span class="time">{clock(tool.at)}</span> <b>{tool.name}</b> {tool.path ?? tool.command ?? ''}
          </li>
        ))}
      </ol>
    </div>
  );
}

function Bar(props: { fraction: number }) {
  const pct = Math.max(0, Math.min(1, props.fraction)) * 100;
  return (
    <span class={`bar${props.fraction >= 1 ? ' over' : props.fraction >= 0.8 ? ' near' : ''}`}>
      <span style={{ width: `${pct}%` }} />
    </span>
  );
}

const BUDGET_LABELS: Record<BudgetView['kind'], string> = {
  run_seconds: 'run time',
  run_tokens: 'run tokens',
  run_cost: 'run cost',
  task_tokens: 'task tokens',
};

function budgetValue(budget: BudgetView, value: number): string {
  if (budget.kind === 'run_seconds') return duration(value * 1000);
  if (budget.kind === 'run_cost') return dollars(value);
  return tokens(value);
}

export function Budgets(props: { fold: JournalFold; now: number }) {
  const budgets = budgetsOf(props.fold, props.now);
  return (
    <div>
      <h2>Budgets</h2>
      <table class="budgets" data-testid="budgets">
        <tbody>
          {budgets.map((budget) => (
            <tr key={budget.kind}>
              <th>{BUDGET_LABELS[budget.kind]}</th>
              <td>{budgetValue(budget, budget.used)}</td>
              <td>{budget.limit > 0 ? <Bar fraction={budget.used / budget.limit} /> : null}</td>
              <td class="muted">{budget.limit > 0 ? `of ${budgetValue(budget, budget.limit)}` : 'no limit'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Tasks(props: { fold: JournalFold; controllable: boolean; ask: (pending: PendingControl) => void }) {
  const { fold, controllable, ask } = props;
  const phases = tasksByPhase(fold);
  if (phases.length === 0) return <p class="muted">The run has not listed its tasks yet.</p>;
  return (
    <div data-testid="tasks">
      <h2>Tasks</h2>
      {phases.map((phase) => (
        <section key={phase.phase ?? '(no phase)'} class="phase">
          <h3>{phase.phase ?? '(no phase)'}</h3>
          <ul>
            {phase.tasks.map((task) => (
              <li key={task.id} class={`task ${task.status}`} data-status={task.status}>
                <span class={`badge ${task.status}`}>{task.status}</span> <span class="text">{task.text}</span>
                {task.note ? <span class="muted"> — {task.note}</span> : null}
                {controllable && task.status === 'parked' ? (
                  <button
                    type="button"
                    class="small"
                    onClick={() =>
                      ask({ action: 'retry', task: task.id, question: `Give "${task.text}" back to the run?` })
                    }
                  >
                    Retry
                  </button>
                ) : null}
                {controllable && (task.status === 'open' || task.status === 'failed') ? (
                  <button
                    type="button"
                    class="small"
                    onClick={() => ask({ action: 'skip', task: task.id, question: `Park "${task.text}"?` })}
                  >
                    Skip
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
