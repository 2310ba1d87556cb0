/** The process's own standard streams, environment and directory, as a CliIo. */
import type { CliIo } from '../vocabulary/io.js';

export type { CliIo } from '../vocabulary/io.js';

/** Streams whose reader went away (EPIPE): further output is dropped, the command goes on. */
const closedStreams = new WeakSet<NodeJS.WritableStream>();

export function markClosed(stream: NodeJS.WritableStream): void {
  closedStreams.add(stream);
}

function writeTo(stream: NodeJS.WriteStream, text: string): void {
  if (closedStreams.has(stream) || stream.destroyed) return;
  stream.write(text);
}

export const processIo: CliIo = {
  stdout: (text) => writeTo(process.stdout, text),
  stderr: (text) => writeTo(process.stderr, text),
  env: process.env,
  cwd: process.cwd(),
};
