#!/usr/bin/env node
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { quickStatusArgs, type quickStatus } from './quick-status.js';
import { startTuned } from './tuned-start.js';

// Node keeps the compiled code of the CLI's modules between runs (in its own cache directory), so a
// command started again and again — `status` in a watch loop — does not compile them every time.
// A namespace import: on a Node too old to have it, the CLI still starts (and says what it needs).
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// `run` starts itself again with glibc's malloc settings for a long-lived process (tuned-start.ts);
// this returns at once for every other command, and in the restarted `run`.
startTuned();

const argv = process.argv.slice(2);
// `status` in a plain form answers without the command-line parser and the validator (quick-status.ts).
const quick = quickStatusArgs(argv);
if (!quick) {
  // Before anything else loads: the modules' own allocations already count. (Not for `status`, a
  // short-lived process, whose journal reading would only collect garbage more often.)
  const { keepHeapSmall } = await import('../util/small-heap.js');
  keepHeapSmall();
}

const { markClosed, processIo } = await import('./io.js');

// `pi-harness once | head -1` closes the pipe early: that is the reader's choice. The output stops
// there, never the run: exiting mid-iteration would leave the lock held and the work unrescued.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // EIO: a terminal that hung up (SIGHUP) answers writes with EIO.
    if (error.code === 'EPIPE' || error.code === 'EIO') {
      markClosed(stream);
      return;
    }
    throw error;
  });
}

/**
 * The quick path as one file when the build made it (scripts/build-status.mjs: a fresh process
 * links one module faster than forty), else its modules as they are.
 */
async function loadQuickStatus(): Promise<typeof quickStatus> {
  const bundle = new URL('./quick-status.bundle.js', import.meta.url);
  const module = (await import(existsSync(bundle) ? bundle.href : './quick-status.js')) as {
    quickStatus: typeof quickStatus;
  };
  return module.quickStatus;
}

/** The program as one file when the build made it (scripts/build-program.mjs), else its modules. */
async function loadProgram(): Promise<typeof import('./program.js')> {
  const bundle = new URL('./program.bundle.js', import.meta.url);
  return (await import(existsSync(bundle) ? bundle.href : './program.js')) as typeof import('./program.js');
}

try {
  const answered = quick ? await (await loadQuickStatus())(quick, processIo) : undefined;
  process.exitCode = answered ?? (await (await loadProgram()).runCli(argv, processIo));
} catch (error) {
  // A bug, not a user error: show the stack so it can be reported.
  process.stderr.write(`pi-harness: internal error: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
