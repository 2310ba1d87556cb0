/** The process's own standard streams, environment and directory, as a CliIo. */
import type { CliIo } from '../vocabulary/io.js';

export type { CliIo } from '../vocabulary/io.js';

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};
