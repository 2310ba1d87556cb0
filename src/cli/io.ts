/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** All of standard input (visual-review-worker); the process's stdin when absent. */
  stdin?: () => Promise<string>;
}

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
