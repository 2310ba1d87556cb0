/**
 * `--memory-check N`: one `pi-harness run` of N iterations — the workload's six tasks repeated on
 * files of their own, their tests run in one process (LONG_RUN_WORKLOAD), so every iteration does
 * nearly the same work — with the memory of the harness and
 * its pi processes sampled throughout. An overnight run must not grow: the check passes when every
 * window of iterations from `from` on holds its mean PSS within ±10 % of the first window's.
 */
import type { ReadEvent } from '../journal/decode.js';
import { totalOf, type MemorySample } from './proc-memory.js';
import { runOnce, type HarnessBuild } from './run-once.js';
import { LONG_RUN_WORKLOAD } from './workloads.js';

export interface MemoryWindow {
  /** First and last iteration of the window (1-based, inclusive). */
  from: number;
  to: number;
  meanPssMiB: number;
  harnessMiB: number;
  piMiB: number;
  /** Against the first window, e.g. 0.03 for 3 % more. */
  change: number;
}

export interface MemoryCheck {
  iterations: number;
  succeeded: number;
  exitCode: number;
  wallMs: number;
  windows: MemoryWindow[];
  /** Largest |change| of any window. */
  maxChange: number;
  flat: boolean;
}

export const FLAT_TOLERANCE = 0.1;

/** The iteration each sample falls in, from the journal's iteration_start times. */
function iterationOf(samples: readonly MemorySample[], events: readonly ReadEvent[]): (number | undefined)[] {
  const starts = events
    .filter((event) => event.type === 'iteration_start')
    .map((event) => ({ iteration: event.iteration ?? 0, at: Date.parse(event.at) }));
  return samples.map((sample) => {
    let found: number | undefined;
    for (const start of starts) if (start.at <= sample.at) found = start.iteration;
    return found;
  });
}

/** Mean PSS per window of `size` iterations, from iteration `from` to `to`. */
export function memoryWindows(
  samples: readonly MemorySample[],
  events: readonly ReadEvent[],
  options: { from: number; to: number; size: number },
): MemoryWindow[] {
  const iterations = iterationOf(samples, events);
  const windows: MemoryWindow[] = [];
  for (let from = options.from; from + options.size - 1 <= options.to; from += options.size) {
    const to = from + options.size - 1;
    const inside = samples.filter(
      (_, i) => iterations[i] !== undefined && iterations[i]! >= from && iterations[i]! <= to,
    );
    if (inside.length === 0) continue;
    const mean = (of: (sample: MemorySample) => number) => inside.reduce((t, s) => t + of(s), 0) / inside.length / 1024;
    windows.push({
      from,
      to,
      meanPssMiB: mean((s) => totalOf(s.pssKiB)),
      harnessMiB: mean((s) => s.pssKiB.harness),
      piMiB: mean((s) => s.pssKiB.pi + s.pssKiB.guardian),
      change: 0,
    });
  }
  const first = windows[0]?.meanPssMiB ?? 0;
  for (const window of windows) window.change = first === 0 ? 0 : window.meanPssMiB / first - 1;
  return windows;
}

export async function memoryCheck(options: {
  build: HarnessBuild;
  iterations: number;
  from: number;
  window: number;
  /**
   * Tasks in the task file (default: one per iteration). Every iteration reads and parses the whole
   * file, so a short run over a long file shows in minutes what a long run's file costs.
   */
  tasks?: number;
  log: (line: string) => void;
}): Promise<MemoryCheck> {
  const rounds = Math.ceil((options.tasks ?? options.iterations) / 6);
  options.log(`bench: memory check, ${options.iterations} iterations of ${options.build.label}…`);
  const raw = await runOnce({
    build: options.build,
    modelDelayMs: 0,
    keep: false,
    rounds,
    workload: LONG_RUN_WORKLOAD,
    sampleMs: 1000,
    config: { maxIterations: options.iterations },
  });
  const ends = raw.events.filter((event) => event.type === 'iteration_end');
  const windows = memoryWindows(raw.memory, raw.events, {
    from: options.from,
    to: options.iterations,
    size: options.window,
  });
  const maxChange = Math.max(0, ...windows.map((window) => Math.abs(window.change)));
  if (raw.exitCode !== 0) options.log(`bench: the memory check run ended ${raw.exitCode}:\n${raw.output.slice(-4000)}`);
  return {
    iterations: ends.length,
    succeeded: ends.filter((event) => event.status === 'succeeded').length,
    exitCode: raw.exitCode,
    wallMs: raw.wallMs,
    windows,
    maxChange,
    flat: windows.length > 1 && maxChange <= FLAT_TOLERANCE,
  };
}

export function formatMemoryCheck(check: MemoryCheck, label: string): string {
  const lines = [
    `Memory check (${label}): ${check.succeeded}/${check.iterations} iterations succeeded in ${(check.wallMs / 1000).toFixed(0)} s; ` +
      `mean PSS of harness + pi processes per window of iterations:`,
    '',
    '  iterations   PSS MiB  (harness  pi)   change',
    ...check.windows.map(
      (w) =>
        `  ${`${w.from}–${w.to}`.padEnd(11)} ${w.meanPssMiB.toFixed(1).padStart(8)}  (${w.harnessMiB.toFixed(1).padStart(7)} ${w.piMiB.toFixed(1).padStart(6)})  ${(100 * w.change).toFixed(1).padStart(5)} %`,
    ),
    '',
    `Largest change from the first window: ${(100 * check.maxChange).toFixed(1)} % → ` +
      (check.flat ? `flat (within ±${100 * FLAT_TOLERANCE} %)` : `NOT flat (beyond ±${100 * FLAT_TOLERANCE} %)`),
  ];
  return lines.join('\n');
}
