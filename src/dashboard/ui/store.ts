/**
 * The page's data: the snapshot from /api/state restored into the one fold (the same code the
 * server and `status` run), then every journal event from /api/events decoded by the one decoder
 * and applied to it. Nothing is counted here that the fold does not count. The charts' series
 * comes after the first render (/api/series: on a long run it is the larger half of the data).
 */
import { decodeValue } from '../../journal/decode.js';
import { JournalFold } from '../../journal/fold/fold.js';
import { addToSeries, emptySeries, type IterationSeries } from '../../journal/fold/views.js';
import type { SeriesPayload, StatePayload } from '../payloads.js';

export interface Store {
  fold: JournalFold | undefined;
  /** Undefined until /api/series has answered. */
  series: IterationSeries | undefined;
  state: StatePayload | undefined;
  /** The event stream is connected. */
  connected: boolean;
  /** Bumped on every change, so views re-render. */
  version: number;
  error: string | undefined;
}

type Listener = () => void;

export class DashboardStore {
  readonly data: Store = {
    fold: undefined,
    series: undefined,
    state: undefined,
    connected: false,
    version: 0,
    error: undefined,
  };
  private readonly listeners = new Set<Listener>();
  private source: EventSource | undefined;
  private scheduled = false;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async load(): Promise<void> {
    try {
      const response = await fetch('/api/state', { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const state = (await response.json()) as StatePayload;
      this.data.state = state;
      this.data.fold = state.fold ? JournalFold.restore(state.fold, { adopt: true }) : undefined;
      this.data.series = undefined;
      this.data.error = undefined;
      this.connect(state);
      // Asked for once the first render is done (its frame, then a task): the page shows first.
      requestAnimationFrame(() => setTimeout(() => void this.loadSeries(state.runId)));
    } catch (error) {
      this.data.error = error instanceof Error ? error.message : String(error);
      setTimeout(() => void this.load(), 3000);
    }
    this.changed();
  }

  /**
   * The series, once the page shows: the server's, then the iterations that ended since it was
   * made (the fold has them from the stream). A failed fetch leaves the charts to what streams in.
   */
  private async loadSeries(runId: string | null): Promise<void> {
    let series: IterationSeries | null = null;
    try {
      const response = await fetch('/api/series', { credentials: 'same-origin' });
      if (response.ok) {
        const answer = (await response.json()) as SeriesPayload;
        if (answer.runId !== runId || this.data.state?.runId !== runId) return; // another run by now
        series = answer.series;
      }
    } catch {
      // the charts fill from the stream
    }
    const fold = this.data.fold;
    const all = series ?? emptySeries();
    const last = all.iteration.at(-1) ?? 0;
    for (const it of fold?.iterations ?? []) if (it.ended && it.iteration > last) addToSeries(all, it);
    this.data.series = all;
    this.changed();
  }

  private connect(state: StatePayload): void {
    this.source?.close();
    const run = state.runId ? `run=${encodeURIComponent(state.runId)}&` : '';
    const source = new EventSource(`/api/events?${run}after=${state.seq}`);
    this.source = source;
    source.onopen = () => {
      this.data.connected = true;
      this.changed();
    };
    source.onerror = () => {
      this.data.connected = false;
      this.changed();
    };
    source.onmessage = (message) => this.apply(message.data as string);
    source.addEventListener('reset', () => {
      source.close();
      void this.load();
    });
  }

  private apply(data: string): void {
    const fold = this.data.fold ?? new JournalFold();
    this.data.fold = fold;
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return;
    }
    const decoded = decodeValue(value, { position: fold.run.lastSeq + 1 });
    if (decoded.kind !== 'event') return;
    fold.apply(decoded.event);
    if (this.data.state) {
      this.data.state.seq = decoded.event.seq;
      if (decoded.event.type === 'run_end') {
        this.data.state.live = false;
        this.data.state.controllable = false;
      }
    }
    // Before /api/series has answered, loadSeries adds what ends meanwhile; the server's series may
    // already hold an iteration whose end the stream brings after it.
    const series = this.data.series;
    if (decoded.event.type === 'iteration_end' && series) {
      const it = fold.iteration(decoded.event.iteration);
      if (it && it.iteration > (series.iteration.at(-1) ?? 0)) addToSeries(series, it);
    }
    this.changed();
  }

  /** Views re-render at most once a frame, however many events arrive. */
  private changed(): void {
    this.data.version += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  async control(body: { action: string; task?: string; text?: string }): Promise<string> {
    const response = await fetch('/api/control', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { id?: string; error?: string };
    if (response.status !== 202) throw new Error(answer.error ?? `the server answered ${response.status}`);
    return answer.id ?? '';
  }
}
