/**
 * Tokens and time per iteration (uPlot: small, fast on 10,000 points, no dependencies), and where
 * the run's tokens and time went per role (the fold's tallies).
 */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import type { JournalFold } from '../../journal/fold/fold.js';
import { CHART_ROLES, type IterationSeries } from '../../journal/fold/views.js';
import { chartPoints } from './chart-points.js';
import { duration, tokens } from './format.js';

const ROLE_COLOURS = ['#2f6fdb', '#8a5cd6', '#d9822b', '#2b9e6a', '#c2417a'];

/**
 * uPlot is a module of its own (about 50 kB), loaded when the first chart mounts — after the
 * page's first render, which it would otherwise delay by its download, compilation and setup.
 */
let uPlotModule: Promise<typeof uPlot> | undefined;
const loadUPlot = () => (uPlotModule ??= import('uplot').then((module) => module.default));

function Plot(props: { options: (width: number) => uPlot.Options; data: uPlot.AlignedData; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const data = useRef(props.data);
  data.current = props.data;
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let gone = false;
    const observer = new ResizeObserver(() =>
      plot.current?.setSize({ width: element.clientWidth || 300, height: 180 }),
    );
    void loadUPlot().then((UPlot) => {
      if (gone) return;
      plot.current = new UPlot(props.options(element.clientWidth || 300), data.current, element);
      observer.observe(element);
    });
    return () => {
      gone = true;
      observer.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, []);
  useEffect(() => plot.current?.setData(props.data), [props.data]);
  return <div class="plot" ref={box} role="img" aria-label={props.label} />;
}

function tokenOptions(width: number): uPlot.Options {
  return {
    width,
    height: 180,
    scales: { x: { time: false } },
    axes: [{ label: 'iteration' }, { label: 'tokens', size: 60 }],
    series: [{ label: 'iteration' }, { label: 'tokens', stroke: '#2f6fdb', fill: 'rgba(47,111,219,0.12)' }],
  };
}

function timeOptions(width: number): uPlot.Options {
  return {
    width,
    height: 180,
    scales: { x: { time: false } },
    axes: [{ label: 'iteration' }, { label: 'seconds', size: 60 }],
    series: [
      { label: 'iteration' },
      { label: 'total', stroke: '#555', width: 1 },
      ...CHART_ROLES.map((role, index) => ({ label: role, stroke: ROLE_COLOURS[index]!, width: 1 })),
    ],
  };
}

function RoleTable(props: { fold: JournalFold }) {
  const roles = [...props.fold.tallies.byRole.entries()].sort((a, b) => b[1].tokens - a[1].tokens);
  const most = Math.max(1, ...roles.map(([, tally]) => tally.tokens));
  return (
    <table class="roles" data-testid="roles">
      <tbody>
        {roles.map(([role, tally]) => (
          <tr key={role}>
            <th>{role}</th>
            <td>{tally.count} turns</td>
            <td>
              <span class="bar">
                <span style={{ width: `${(100 * tally.tokens) / most}%` }} />
              </span>{' '}
              {tokens(tally.tokens)}
            </td>
            <td>{duration(tally.durationMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Charts(props: { series: IterationSeries | undefined; fold: JournalFold; version: number }) {
  const series = props.series;
  const count = series?.iteration.length ?? 0;
  // Recomputed when an iteration ends, not on every event: the series only grows at iteration_end.
  const points = useMemo(() => (series ? chartPoints(series) : undefined), [series, count]);
  const tokenData = useMemo(() => (points ? [points.iteration, points.tokens] : []) as uPlot.AlignedData, [points]);
  const timeData = useMemo(
    () => (points ? [points.iteration, points.seconds, ...points.roleSeconds] : []) as uPlot.AlignedData,
    [points],
  );
  const per = points && points.perPoint > 1 ? ` (mean of every ${points.perPoint})` : '';
  return (
    <div data-testid="charts">
      <h2>Tokens and time</h2>
      {series === undefined ? (
        <p class="muted">Loading the charts…</p>
      ) : points && count > 0 ? (
        <>
          <Plot label={`tokens per iteration${per}`} options={tokenOptions} data={tokenData} />
          <Plot label={`seconds per iteration and role${per}`} options={timeOptions} data={timeData} />
          {per ? <p class="muted">Each point is the mean of {points.perPoint} iterations.</p> : null}
        </>
      ) : (
        <p class="muted">The charts fill as iterations end.</p>
      )}
      <h3>Per role</h3>
      <RoleTable fold={props.fold} />
    </div>
  );
}
