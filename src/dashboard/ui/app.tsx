/** The page: the run's header and controls, then its panels. */
import { useState } from 'preact/hooks';
import type { JournalFold } from '../../journal/fold/fold.js';
import { Charts } from './charts.js';
import { Confirm, Controls, type PendingControl } from './controls.js';
import { clock, duration, since } from './format.js';
import { ControlLog, IterationList, Rescues, Runs } from './history.js';
import { useNow, useStore } from './hooks.js';
import { IterationDetail } from './iteration.js';
import { Budgets, Tasks, TurnCard } from './panels.js';
import type { DashboardStore, Store } from './store.js';
import { Workers } from './workers.js';

function runState(fold: JournalFold, data: Store): string {
  if (fold.run.finished) return `ended: ${fold.run.stopReason ?? ''} (exit ${fold.run.exitCode})`;
  if (!data.state?.live) return 'not running (the harness stopped without finishing)';
  return fold.control.paused ? 'paused' : 'running';
}

function Header(props: { fold: JournalFold; data: Store; now: number }) {
  const { fold, data, now } = props;
  const state = runState(fold, data);
  return (
    <header class="top">
      <h1>pi-harness</h1>
      <span class="run">
        run <code>{fold.run.runId}</code>
      </span>
      <span
        class={`badge state ${fold.control.paused ? 'paused' : data.state?.live ? 'running' : 'ended'}`}
        data-testid="run-state"
      >
        {state}
      </span>
      <span class="muted">
        started {clock(fold.run.startedAt)},{' '}
        {duration(since(fold.run.startedAt, fold.run.endedAt ? Date.parse(fold.run.endedAt) : now))} ·{' '}
        {fold.run.succeeded}/{fold.run.ended} iterations succeeded
      </span>
      <span class={`live ${data.connected ? 'on' : 'off'}`} title="event stream">
        {data.connected ? '● live' : '○ reconnecting'}
      </span>
    </header>
  );
}

export function App(props: { store: DashboardStore }) {
  const { store } = props;
  const data = useStore(store);
  const now = useNow();
  const [pending, setPending] = useState<PendingControl | undefined>(undefined);
  const [message, setMessage] = useState('');
  const [selected, setSelected] = useState<number | undefined>(undefined);
  if (!data.state)
    return <p class="loading">{data.error ? `Cannot reach the harness: ${data.error}` : 'Loading the run…'}</p>;
  const fold = data.fold;
  if (!fold) return <p class="loading">No run yet in this repository: the page fills when one starts.</p>;
  const controllable = data.state.controllable;
  const ask = (control: PendingControl) => {
    setMessage('');
    setPending(control);
  };
  return (
    <div class="page">
      <Header fold={fold} data={data} now={now} />
      <div class="bar-controls">
        <Controls fold={fold} controllable={controllable} ask={ask} />
        {pending ? (
          <Confirm
            pending={pending}
            store={store}
            done={(text) => {
              setPending(undefined);
              setMessage(text);
            }}
          />
        ) : null}
        {message ? (
          <p class="message" data-testid="control-message">
            {message}
          </p>
        ) : null}
      </div>
      <main class="grid">
        {fold.workers.size > 0 ? (
          <section class="card workers">
            <Workers fold={fold} now={now} />
          </section>
        ) : null}
        <section class="card turn">
          <TurnCard fold={fold} now={now} />
        </section>
        <section class="card budgets">
          <Budgets fold={fold} now={now} />
        </section>
        <section class="card tasks">
          <Tasks fold={fold} controllable={controllable} ask={ask} />
        </section>
        <section class="card detail">
          <IterationDetail fold={fold} selected={selected} />
        </section>
        <section class="card charts">
          <Charts series={data.series} fold={fold} version={data.version} />
        </section>
        <section class="card history">
          <IterationList fold={fold} omitted={data.state.fold?.omittedIterations ?? 0} select={setSelected} />
        </section>
        <section class="card log">
          <ControlLog fold={fold} />
        </section>
        <section class="card rescues">
          <Rescues fold={fold} />
        </section>
        <section class="card runs">
          <Runs refresh={fold.run.finished ? 1 : 0} />
        </section>
      </main>
    </div>
  );
}
