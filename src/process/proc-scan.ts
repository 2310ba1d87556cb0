/**
 * Linux /proc scanning: is a process alive, which processes belong to a run. Used by the soak
 * script and the tests that prove no pi or tool process outlives the harness.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Alive unless gone or a zombie (PID 1 in a container may be slow to reap). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Live processes (other than this one) whose command line or environment mentions `needle`:
 * pi and its tools inherit the run's paths in their environment even when their command line
 * does not show them.
 */
export function liveProcessesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || !processAlive(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      let environ = '';
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      } catch {
        // another user's process: its environment is not readable
      }
      if (cmdline.includes(needle) || environ.includes(needle)) found.push(pid);
    } catch {
      // exited while we looked
    }
  }
  return found;
}
