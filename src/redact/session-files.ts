/**
 * pi's own session files (JSONL under `runs/<runId>/pi-sessions/`) record every tool result, so a
 * tool that prints a secret puts it there. pi owns those files, so they are redacted after the
 * fact: after each turn (pi is idle then and only ever appends by path) and again when the run
 * ends (after pi has exited). A resumed session then reads the redacted history, which is what we
 * want the model to see anyway.
 */
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempPathFor } from '../util/atomic-file.js';
import type { Redactor } from './redactor.js';

function redactLine(line: string, redactor: Redactor): string {
  if (line.trim() === '') return line;
  try {
    const record = JSON.parse(line) as unknown;
    const redacted = JSON.stringify(redactor.value(record));
    // Unchanged records keep their exact bytes.
    return redacted === JSON.stringify(record) ? line : redacted;
  } catch {
    return redactor.text(line);
  }
}

/** Redacts one JSONL file in place (atomically). Returns whether anything changed. */
export function redactJsonlFile(file: string, redactor: Redactor): boolean {
  // If pi appended while we were rewriting, start over rather than drop its line.
  for (let attempt = 0; attempt < 3; attempt++) {
    let before;
    let text: string;
    try {
      before = statSync(file);
      text = readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    const redacted = text
      .split('\n')
      .map((line) => redactLine(line, redactor))
      .join('\n');
    if (redacted === text) return false;
    const temp = tempPathFor(file);
    writeFileSync(temp, redacted, { mode: before.mode & 0o777 });
    const now = statSync(file);
    if (now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
      unlinkSync(temp);
      continue;
    }
    renameSync(temp, file);
    return true;
  }
  return false;
}

/** Every `*.jsonl` file below `dir` (pi may nest sessions by working directory). */
function jsonlFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsonlFiles(full);
    return entry.isFile() && entry.name.endsWith('.jsonl') ? [full] : [];
  });
}

export function redactSessionDir(dir: string, redactor: Redactor): number {
  return jsonlFiles(dir).filter((file) => redactJsonlFile(file, redactor)).length;
}

/** Where the rpc transport keeps pi's sessions for a run. */
export function sessionDirOf(runDir: string): string {
  return path.join(runDir, 'pi-sessions');
}
