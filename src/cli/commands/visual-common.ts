/** What `visual-once` and `visual-review-worker` share: stopping on a signal, reading stdin. */
import type { CliIo } from '../io.js';

/**
 * Runs `work` with an abort signal tied to SIGINT/SIGTERM: the first signal aborts (the review
 * turn and the capture command are ended, their process groups killed), a second exits at once.
 */
export async function withStopSignal<T>(
  io: CliIo,
  name: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    io.stderr(`\npi-harness ${name}: ${signal} received; stopping (again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** All of stdin as text: the test's own reader when it gave one, else the process's stdin. */
export async function readAllStdin(io: CliIo): Promise<string> {
  if (io.stdin) return io.stdin();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
