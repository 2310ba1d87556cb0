/** Runs and iterations: the iterations of the run a page at a time, the rescue refs, the runs, the operator log. */
import { useState } from 'preact/hooks';
import type { JournalFold } from '../../journal/fold/fold.js';
import { iterationRow, type IterationRow } from '../../journal/fold/views.js';
import { clock, duration, shortSha, tokens } from './format.js';
import { useApi } from './hooks.js';

const PAGE = 25;

function Row(props: { row: IterationRow; select: (n: number) => void }) {
  const { row } = props;
  return (
    <tr onClick={() => props.select(row.iteration)} class="clickable">
      <td>{row.iteration}</td>
      <td class="text">{row.task}</td>
      <td>
        <span class={`badge ${row.status}`}>{row.status}</span>
      </td>
      <td class="muted">{row.reason}</td>
      <td>{row.durationMs !== null ? duration(row.durationMs) : ''}</td>
      <td>{tokens(row.tokens)}</td>
      <td>{row.commit ? shortSha(row.commit) : row.rescue ? 'rescued' : ''}</td>
    </tr>
  );
}

/** Newest first; pages the browser's fold does not hold come from the server. */
export function IterationList(props: { fold: JournalFold; omitted: number; select: (n: number) => void }) {
  const { fold } = props;
  const [page, setPage] = useState(0);
  const total = props.omitted + fold.iterations.length;
  const local = fold.iterations.slice().reverse().map(iterationRow);
  const start = page * PAGE;
  // Only iterations older than the page's own window are asked of the server.
  const needServer = start + PAGE > local.length && local.length < total;
  // A run's iterations are numbered one after another: a page starts PAGE below the one before it.
  const before = (local[0]?.iteration ?? 0) - start + 1;
  const { value } = useApi<{ rows: IterationRow[] }>(
    needServer ? `/api/iterations?before=${before}&limit=${PAGE}` : undefined,
    before,
  );
  const rows = needServer ? (value?.rows ?? []) : local.slice(start, start + PAGE);
  const pages = Math.max(1, Math.ceil(total / PAGE));
  return (
    <div data-testid="iterations">
      <h2>Iterations ({total})</h2>
      <table class="rows">
        <thead>
          <tr>
            <th>#</th>
            <th>task</th>
            <th>status</th>
            <th>why</th>
            <th>time</th>
            <th>tokens</th>
            <th>kept</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <Row key={row.iteration} row={row} select={props.select} />
          ))}
        </tbody>
      </table>
      <div class="pager">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Newer
        </button>
        <span>
          page {page + 1} of {pages}
        </span>
        <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
          Older
        </button>
      </div>
    </div>
  );
}

export function Rescues(props: { fold: JournalFold }) {
  const rescues = [...props.fold.run.rescues, ...props.fold.run.orphanRescues].slice(-50).reverse();
  return (
    <div>
      <h2>Rescue refs</h2>
      {rescues.length === 0 ? <p class="muted">No work had to be kept aside.</p> : null}
      <ul class="rescues">
        {rescues.map((rescue) => (
          <li key={rescue.ref}>
            <code>{rescue.ref}</code>{' '}
            <span class="muted">
              iteration {rescue.iteration}, {rescue.files.length} files
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ControlLog(props: { fold: JournalFold }) {
  const requests = props.fold.control.requests.slice().reverse();
  return (
    <div data-testid="control-log">
      <h2>Operator requests</h2>
      {requests.length === 0 ? <p class="muted">None yet.</p> : null}
      <ul>
        {requests.map((request) => (
          <li key={request.id}>
            <span class="time">{clock(request.receivedAt)}</span> <b>{request.action}</b>
            {request.text ? ` "${request.text}"` : ''} <span class="muted">from {request.source}</span> —{' '}
            {request.result ? `${request.result}: ${request.detail}` : request.plan}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface RunSummary {
  runId: string;
  startedAt: string | null;
  finished: boolean;
  iterations: number;
  succeeded: number;
  exitCode: number | null;
  stopReason: string | null;
}

export function Runs(props: { refresh: number }) {
  const { value } = useApi<{ runs: RunSummary[] }>('/api/runs', props.refresh);
  return (
    <div>
      <h2>Runs</h2>
      <table class="rows">
        <tbody>
          {(value?.runs ?? []).slice(0, 50).map((run) => (
            <tr key={run.runId}>
              <td>
                <code>{run.runId}</code>
              </td>
              <td>
                {run.succeeded}/{run.iterations} succeeded
              </td>
              <td class="muted">{run.finished ? `exit ${run.exitCode}: ${run.stopReason}` : 'not finished'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
