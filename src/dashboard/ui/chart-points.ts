/**
 * The points the charts draw: at most a few hundred, whatever the run's length. A chart is a few
 * hundred pixels wide, so 10,000 iterations drawn one by one only cost the page time (uPlot scans
 * every point of every series on each draw); consecutive iterations are averaged into buckets
 * instead, each placed at its last iteration.
 */
import type { IterationSeries } from '../../journal/fold/views.js';

export const MAX_CHART_POINTS = 400;

export interface ChartPoints {
  /** Iterations per point (1: every iteration is its own point). */
  perPoint: number;
  iteration: number[];
  tokens: number[];
  seconds: number[];
  roleSeconds: number[][];
}

function bucketed(values: readonly number[], size: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < values.length; start += size) {
    const end = Math.min(values.length, start + size);
    let sum = 0;
    for (let index = start; index < end; index++) sum += values[index]!;
    out.push(Math.round((sum / (end - start)) * 10) / 10);
  }
  return out;
}

export function chartPoints(series: IterationSeries, max: number = MAX_CHART_POINTS): ChartPoints {
  const count = series.iteration.length;
  const perPoint = Math.max(1, Math.ceil(count / max));
  if (perPoint === 1) return { perPoint, ...series };
  const iteration: number[] = [];
  for (let start = 0; start < count; start += perPoint)
    iteration.push(series.iteration[Math.min(count, start + perPoint) - 1]!);
  return {
    perPoint,
    iteration,
    tokens: bucketed(series.tokens, perPoint),
    seconds: bucketed(series.seconds, perPoint),
    roleSeconds: series.roleSeconds.map((column) => bucketed(column, perPoint)),
  };
}
