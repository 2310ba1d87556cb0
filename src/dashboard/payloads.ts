/**
 * The shapes of the API's answers, shared by the server (state.ts) and the page (ui/store.ts):
 * types only, so the page's bundle takes nothing from the server's side with them.
 */
import type { FoldSnapshot } from '../journal/fold/fold.js';
import type { IterationSeries } from '../journal/fold/views.js';

/** `/api/state`: the fold the page starts from, and whether the run can be steered. */
export interface StatePayload {
  version: string;
  runId: string | null;
  live: boolean;
  /** Control requests can be sent (a run is active and listening). */
  controllable: boolean;
  seq: number;
  fold: FoldSnapshot | null;
  now: string;
}

/** `/api/series`: the charts' data, one entry per ended iteration of the run shown (10,000 iterations: ~340 kB). */
export interface SeriesPayload {
  runId: string | null;
  series: IterationSeries | null;
}
