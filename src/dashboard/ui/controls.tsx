/** The operator's controls: pause / resume, stop, skip, steer — each asks for a confirmation first. */
import { useState } from 'preact/hooks';
import type { JournalFold } from '../../journal/fold/fold.js';
import type { DashboardStore } from './store.js';

export interface PendingControl {
  action: 'pause' | 'resume' | 'stop' | 'skip' | 'retry' | 'steer';
  task?: string;
  text?: string;
  /** What the confirmation asks. */
  question: string;
}

export function Confirm(props: { pending: PendingControl; store: DashboardStore; done: (message: string) => void }) {
  const { pending, store, done } = props;
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    try {
      const id = await store.control({
        action: pending.action,
        ...(pending.task ? { task: pending.task } : {}),
        ...(pending.text ? { text: pending.text } : {}),
      });
      done(`${pending.action} sent (${id}); the run acknowledges it in the log below`);
    } catch (error) {
      done(`${pending.action} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <div class="confirm" role="alertdialog" aria-label="Confirm">
      <span>{pending.question}</span>
      <button type="button" class="danger" disabled={busy} onClick={() => void send()}>
        Confirm
      </button>
      <button type="button" disabled={busy} onClick={() => done('')}>
        Cancel
      </button>
    </div>
  );
}

export function Controls(props: { fold: JournalFold; controllable: boolean; ask: (pending: PendingControl) => void }) {
  const { fold, controllable, ask } = props;
  const [text, setText] = useState('');
  if (!controllable) return <p class="muted">No run is active: the controls wake up when one is.</p>;
  const pausing = fold.control.paused || fold.control.requests.some((r) => r.action === 'pause' && r.result === null);
  const task = fold.current?.task;
  return (
    <div class="controls">
      {pausing ? (
        <button type="button" onClick={() => ask({ action: 'resume', question: 'Resume the run?' })}>
          Resume
        </button>
      ) : (
        <button
          type="button"
          onClick={() => ask({ action: 'pause', question: 'Pause the run when the current iteration ends?' })}
        >
          Pause
        </button>
      )}
      <button
        type="button"
        disabled={!task}
        onClick={() =>
          ask({ action: 'skip', question: `Skip "${task?.text}"? Its iteration is aborted, its work kept.` })
        }
      >
        Skip task
      </button>
      <button
        type="button"
        class="danger"
        onClick={() => ask({ action: 'stop', question: 'Stop the run? The turn is aborted, its work kept.' })}
      >
        Stop
      </button>
      <form
        class="steer"
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim() === '') return;
          ask({ action: 'steer', text: text.trim(), question: `Send this guidance to the agent?` });
          setText('');
        }}
      >
        <input
          aria-label="Guidance for the agent"
          placeholder="Guidance for the agent (steer)…"
          value={text}
          onInput={(event) => setText((event.target as HTMLInputElement).value)}
        />
        <button type="submit">Steer</button>
      </form>
    </div>
  );
}
