#!/usr/bin/env node
import { runCli } from './program.js';
import { processIo } from './io.js';

// `pi-harness --help | head` closes the pipe early; that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
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
