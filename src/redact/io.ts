/** The terminal side of redaction: a CliIo whose stdout and stderr never show a secret. */
import type { CliIo } from '../vocabulary/io.js';
import type { Redactor } from './redactor.js';

export function redactingIo(io: CliIo, redactor: Redactor): CliIo {
  return {
    ...io,
    stdout: (text) => io.stdout(redactor.text(text)),
    stderr: (text) => io.stderr(redactor.text(text)),
  };
}
