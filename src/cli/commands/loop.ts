/**
 * `once` / `run`: load the configuration, wire SIGINT/SIGTERM/SIGHUP to a clean stop, run the loop.
 * SIGHUP (the terminal or the SSH session went away) is a stop like any other, not a crash.
 * A first signal aborts the turn in flight and lets the loop keep the work and release the lock;
 * a second one exits at once (pi children still die with us: their guardian watches this process).
 */
import { EXIT, exitCodeOf, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import type { Config } from '../../config/load.js';
import type { Dashboard } from '../../dashboard/server.js';
import { runLoop, type LoopMode, type LoopOptions } from '../../loop/run-loop.js';
import { runParallelIterations } from '../../parallel/run-parallel.js';

/** `dashboard`: a started dashboard the run attaches to once it opens. */
export async function loopCommand(mode: LoopMode, config: Config, io: CliIo, dashboard?: Dashboard): Promise<ExitCode> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(EXIT.interrupted);
    io.stderr(
      `\npi-harness: ${signal} received; stopping the current turn and keeping its work (again to quit at once)\n`,
    );
    controller.abort(new Error(`stopped by ${signal}`));
  };
  const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of stopSignals) process.on(signal, onSignal);
  try {
    const options: LoopOptions = {
      mode,
      config,
      io,
      signal: controller.signal,
      ...(dashboard ? { onRunOpened: (live) => dashboard.board.attachLive(live) } : {}),
    };
    // One task at a time unless a run asks for more: `once` is always one iteration in the work tree.
    const outcome =
      mode === 'run' && config.parallel > 1 ? await runLoop(options, runParallelIterations) : await runLoop(options);
    return controller.signal.aborted ? EXIT.interrupted : exitCodeOf(outcome);
  } finally {
    for (const signal of stopSignals) process.off(signal, onSignal);
  }
}
