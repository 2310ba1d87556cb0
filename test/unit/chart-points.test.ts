/** The charts draw at most a few hundred points: longer runs are averaged into buckets of iterations. */
import { describe, expect, it } from 'vitest';
import { chartPoints, MAX_CHART_POINTS } from '../../src/dashboard/ui/chart-points.js';
import { emptySeries, type IterationSeries } from '../../src/journal/fold/views.js';

function series(count: number): IterationSeries {
  const s = emptySeries();
  for (let n = 1; n <= count; n++) {
    s.iteration.push(n);
    s.tokens.push(n * 10);
    s.seconds.push(n % 2);
    for (const column of s.roleSeconds) column.push(1);
  }
  return s;
}

describe('chart points', () => {
  it('a short run is drawn iteration by iteration', () => {
    const points = chartPoints(series(MAX_CHART_POINTS));
    expect(points.perPoint).toBe(1);
    expect(points.iteration).toHaveLength(MAX_CHART_POINTS);
  });

  it('10,000 iterations become at most the maximum of points, each the mean of its bucket', () => {
    const points = chartPoints(series(10_000));
    expect(points.perPoint).toBe(25);
    expect(points.iteration).toHaveLength(400);
    expect(points.iteration[0]).toBe(25);
    expect(points.iteration.at(-1)).toBe(10_000);
    expect(points.tokens[0]).toBe(130); // mean of 10…250
    expect(points.seconds[0]).toBe(0.5); // 13 odd iterations of 25, rounded to a tenth
    for (const column of points.roleSeconds) expect(column.every((value) => value === 1)).toBe(true);
  });

  it('a last bucket that is not full averages what it has', () => {
    const points = chartPoints(series(1001), 500);
    expect(points.perPoint).toBe(3);
    expect(points.iteration.at(-1)).toBe(1001);
    expect(points.tokens.at(-1)).toBe(10_005);
  });
});
