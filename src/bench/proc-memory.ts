/**
 * Memory of the processes one harness run keeps alive (Linux /proc; elsewhere it reports nothing):
 * the harness itself, and the pi processes it drives (with their guardians, where the build has
 * them). Tool and test processes come and go within a turn and are not counted.
 *
 * PSS (proportional set size, /proc/<pid>/smaps_rollup) charges a page shared by n processes 1/n
 * to each, so the sum over the processes is what they hold together: the Node binary mapped by the
 * harness, every guardian and every pi counts once, not once per process. RSS counts it in each.
 */
import { readFileSync, readdirSync } from 'node:fs';

export type ProcessKind = 'harness' | 'pi' | 'guardian';

export interface MemorySample {
  /** Epoch ms of the sample. */
  at: number;
  /** PSS in KiB by kind of process, summed. */
  pssKiB: Record<ProcessKind, number>;
  /** RSS in KiB by kind, summed. */
  rssKiB: Record<ProcessKind, number>;
  /** How many processes of each kind were alive. */
  count: Record<ProcessKind, number>;
}

interface ProcEntry {
  pid: number;
  ppid: number;
}

function entries(): ProcEntry[] {
  const found: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may contain spaces and parentheses; the fields resume after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      found.push({ pid: Number(name), ppid });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Every live descendant of `root` (not `root` itself). */
export function descendantsOf(root: number, all: readonly ProcEntry[] = entries()): number[] {
  const children = new Map<number, number[]>();
  for (const entry of all) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry.pid]);
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * pi renames itself (process.title "pi"; until then its command line names pi's cli.js, with the
 * guard preloaded where the build does that); a guardian process runs guardian.js/.ts with pi's
 * command line after it; the run-wide watchdog (an sh named pi-harness-watchdog) counts with the
 * guardians it replaces; a parallel run's spawn helper counts with the harness. Anything else under the harness (bash tools, the test command, git) is
 * transient.
 */
export function kindOf(pid: number): ProcessKind | undefined {
  let cmdline: string[];
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
  if (cmdline[0] === 'pi') return 'pi';
  if (cmdline.includes('pi-harness-watchdog')) return 'guardian';
  const script = cmdline.slice(1).find((arg) => !arg.startsWith('-'));
  if (script !== undefined && /guardian\.(js|ts)$/.test(script)) return 'guardian';
  // The spawn helper of a parallel run is the harness's own, and counts with it.
  if (script !== undefined && /spawn-host-main\.(js|ts)$/.test(script)) return 'harness';
  if (script !== undefined && /pi-coding-agent[/\\]dist[/\\]cli\.js$/.test(script)) return 'pi';
  return undefined;
}

/** PSS and RSS of one process in KiB, from smaps_rollup; undefined once it has exited. */
export function memoryOf(pid: number): { pssKiB: number; rssKiB: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { pssKiB: field('Pss'), rssKiB: field('Rss') };
  } catch {
    return undefined;
  }
}

const zero = (): Record<ProcessKind, number> => ({ harness: 0, pi: 0, guardian: 0 });

/** One sample of the harness process `harnessPid` and the pi machinery below it. */
export function sampleRun(harnessPid: number): MemorySample {
  const sample: MemorySample = { at: Date.now(), pssKiB: zero(), rssKiB: zero(), count: zero() };
  const add = (kind: ProcessKind, pid: number) => {
    const memory = memoryOf(pid);
    if (!memory) return;
    sample.pssKiB[kind] += memory.pssKiB;
    sample.rssKiB[kind] += memory.rssKiB;
    sample.count[kind] += 1;
  };
  add('harness', harnessPid);
  for (const pid of descendantsOf(harnessPid)) {
    const kind = kindOf(pid);
    if (kind) add(kind, pid);
  }
  return sample;
}

export const totalOf = (record: Record<ProcessKind, number>): number => record.harness + record.pi + record.guardian;

/** Samples every `intervalMs` until stopped. */
export function sampleMemory(harnessPid: number, intervalMs = 200): { stop: () => MemorySample[] } {
  if (process.platform !== 'linux') return { stop: () => [] };
  const samples: MemorySample[] = [];
  const tick = () => {
    try {
      samples.push(sampleRun(harnessPid));
    } catch {
      // /proc raced with an exiting process: the next tick samples again
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

export interface MemoryFigures {
  /** Largest total PSS of any sample, MiB. */
  peakPssMiB: number;
  /** Mean total PSS over the samples, MiB. */
  meanPssMiB: number;
  /** Mean PSS by kind, MiB. */
  meanByKindMiB: Record<ProcessKind, number>;
  peakRssMiB: number;
  /** Most pi processes alive at once. */
  peakPiProcesses: number;
  samples: number;
}

export function summariseMemory(samples: readonly MemorySample[]): MemoryFigures | undefined {
  if (samples.length === 0) return undefined;
  const mib = (kib: number) => kib / 1024;
  const mean = (of: (sample: MemorySample) => number) => samples.reduce((t, s) => t + of(s), 0) / samples.length;
  return {
    peakPssMiB: mib(Math.max(...samples.map((s) => totalOf(s.pssKiB)))),
    meanPssMiB: mib(mean((s) => totalOf(s.pssKiB))),
    meanByKindMiB: {
      harness: mib(mean((s) => s.pssKiB.harness)),
      pi: mib(mean((s) => s.pssKiB.pi)),
      guardian: mib(mean((s) => s.pssKiB.guardian)),
    },
    peakRssMiB: mib(Math.max(...samples.map((s) => totalOf(s.rssKiB)))),
    peakPiProcesses: Math.max(...samples.map((s) => s.count.pi)),
    samples: samples.length,
  };
}
