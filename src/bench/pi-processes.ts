/**
 * Samples the live pi processes of one benchmark run (Linux /proc; elsewhere it reports nothing).
 * The harness starts a pi child per session, so how many stay alive at once — and the memory they
 * hold — matters on a machine that also runs the local model.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface PiProcessPeak {
  /** Most pi sessions (guardian + pi process pairs) alive at the same time. */
  peakCount: number;
  /** Largest sum of their resident memory (guardians and pi processes), in MiB. */
  peakRssMiB: number;
}

function rssKiB(pid: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

function parentOf(pid: string): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses; the fields resume after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '';
}

/**
 * Each pi session is a guardian process (its command line carries pi's arguments, so `marker`, the
 * run's temp directory, appears in it) and its pi child (which renames itself through process.title, hiding its
 * arguments). Counts sessions; sums the memory of both processes of each.
 */
function sample(marker: string): { count: number; rssKiB: number } {
  const pids = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid));
  const guardians = new Set<string>();
  let rss = 0;
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('rpc') && cmdline.some((arg) => arg.includes(marker))) guardians.add(pid);
    } catch {
      // The process exited between readdir and read.
    }
  }
  let count = 0;
  for (const pid of pids) {
    try {
      const parent = parentOf(pid);
      // A guardian's child still shows the guardian's command line between fork and exec.
      if (guardians.has(pid) && !guardians.has(parent)) count += 1;
      if (guardians.has(pid) || guardians.has(parent)) rss += rssKiB(pid);
    } catch {
      // gone
    }
  }
  return { count, rssKiB: rss };
}

/** Starts sampling every `intervalMs`; `stop()` ends it and returns the peaks. */
export function watchPiProcesses(marker: string, intervalMs = 250): { stop: () => PiProcessPeak | undefined } {
  if (process.platform !== 'linux') return { stop: () => undefined };
  let peakCount = 0;
  let peakRss = 0;
  const tick = () => {
    const now = sample(marker);
    peakCount = Math.max(peakCount, now.count);
    peakRss = Math.max(peakRss, now.rssKiB);
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return { peakCount, peakRssMiB: Math.round(peakRss / 1024) };
    },
  };
}
