import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Sortable and unique: `20261124T104700Z-a1b2c3`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function runDirectory(runtimeDir: string, runId: string): string {
  return path.join(runtimeDir, 'runs', runId);
}
