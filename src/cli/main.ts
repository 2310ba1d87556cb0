#!/usr/bin/env node
import * as nodeModule from 'node:module';
import { keepYoungGenerationSmall } from '../util/young-generation.js';

// Before anything else loads: the modules' own allocations already count.
keepYoungGenerationSmall();

// Node keeps the compiled code of the CLI's modules between runs (in its own cache directory), so a
// command started again and again — `status` in a watch loop — does not compile them every time.
// A namespace import: on a Node too old to have it, the CLI still starts (and says what it needs).
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { runCli } = await import('./program.js');
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

try {
  process.exitCode = await runCli(process.argv.slice(2), processIo);
} catch (error) {
  // A bug, not a user error: show the stack so it can be reported.
  process.stderr.write(`pi-harness: internal error: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
