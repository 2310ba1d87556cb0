/**
 * The live pi processes of one transport and the session each one holds.
 *
 * Starting pi is most of the non-model cost of a turn (~0.25 s before the first model request), so
 * a process outlives its session: the next `new` session with the same launch settings starts in
 * an idle process through pi's `new_session`, which (pi 0.87.1, AgentSessionRuntime.newSession)
 * disposes the old AgentSession and builds a new one from the same command line — fresh
 * conversation, model, tools, thinking level, settings and model runtime. A session whose process
 * moved on is no longer live here; continuing it resumes its file in a new process.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { sweepGuarded } from '../../process/guardian.js';
import { BoundedCache } from '../../util/bounded-cache.js';
import type { PiProcess } from './process.js';
import type { PiSessionState } from './protocol.js';

export interface PiWorker {
  readonly proc: PiProcess;
  /** Everything fixed at launch (cwd, model, tools, thinking); a different value needs another process. */
  readonly launchKey: string;
  /** Model and thinking level pi reported at launch; a new session in this process must match. */
  readonly launchState: string;
  sessionId: string;
  sessionFile?: string;
  busy: boolean;
  /** The last turn left pi idle and alive, so it may host another session. */
  reusable: boolean;
  /** Sessions started in this process so far (the launch session included). */
  hosted: number;
  /** Readied ahead of any turn (started, or moved on to a new session): its session is empty and unused. */
  fresh: boolean;
  lastUsed: number;
}

export function stateSignature(state: PiSessionState): string {
  return JSON.stringify([state.model?.provider ?? null, state.model?.id ?? null, state.thinkingLevel ?? null]);
}

/**
 * A pi process's memory creeps up with every session it hosts (measured with pi 0.87.1: ~0.8 MiB
 * per session, 121 → 288 MiB over 200 sessions, no plateau), so a process is retired after this
 * many; one extra start per 25 sessions costs next to nothing.
 */
export const MAX_SESSIONS_PER_PROCESS = 25;

/** Session files remembered for resuming: dozens of iterations' worth. */
export const SESSION_FILES_KEPT = 256;

export class SessionPool {
  private readonly workers = new Set<PiWorker>();
  /** sessionId → the process that holds it now. */
  private readonly live = new Map<string, PiWorker>();
  /**
   * sessionId → its session file, for resuming a session its process has moved on from. Bounded: a
   * session is resumed within its iteration, and a run of hundreds of iterations must not keep one
   * entry per session it ever opened.
   */
  private readonly files = new BoundedCache<string, string>(SESSION_FILES_KEPT);
  /** Cleared once pi says it does not know `new_session` (another pi version): spawn from then on. */
  private canSwitch = true;

  add(worker: PiWorker): void {
    this.workers.add(worker);
    this.hold(worker);
    void worker.proc.waitForExit().then(() => this.drop(worker));
  }

  /** The live process holding this session, if any. */
  holding(sessionId: string): PiWorker | undefined {
    return this.live.get(sessionId);
  }

  fileOf(sessionId: string): string | undefined {
    return this.files.get(sessionId);
  }

  drop(worker: PiWorker): void {
    this.workers.delete(worker);
    if (this.live.get(worker.sessionId) === worker) this.live.delete(worker.sessionId);
  }

  /** Whether a live process with this launch key is in the pool, busy or not. */
  hasLaunched(launchKey: string): boolean {
    for (const w of this.workers) if (w.launchKey === launchKey && !w.proc.exited) return true;
    return false;
  }

  /** Whether a process of this launch key is ready for a new session as it is (`fresh`). */
  hasFresh(launchKey: string): boolean {
    for (const w of this.workers) if (w.launchKey === launchKey && !w.busy && w.fresh && !w.proc.exited) return true;
    return false;
  }

  /**
   * Claims a process started ahead of its turn (`fresh`): its own launch session is the new session,
   * with no `new_session` needed. Marked busy before any await, as claimWarm does.
   */
  claimFresh(launchKey: string): PiWorker | undefined {
    for (const w of this.workers) {
      if (w.launchKey !== launchKey || w.busy || !w.fresh || w.proc.exited) continue;
      w.busy = true;
      w.fresh = false;
      return w;
    }
    return undefined;
  }

  /**
   * Claims the most recently used idle process with this launch key (marked busy before any await,
   * so two concurrent turns cannot share it). Its session must be on disk: once the process moves
   * on, the file is the only way back to that conversation.
   */
  claimWarm(launchKey: string): PiWorker | undefined {
    if (!this.canSwitch) return undefined;
    let best: PiWorker | undefined;
    for (const w of this.workers) {
      if (w.launchKey !== launchKey || w.busy || !canHost(w)) continue;
      if (!w.sessionFile || !existsSync(w.sessionFile)) continue;
      if (!best || w.lastUsed > best.lastUsed) best = w;
    }
    if (best) best.busy = true;
    return best;
  }

  /**
   * Starts a new session in a claimed process. Returns false when that did not work; the process is
   * then ended unless pi refused the command outright (its old session is untouched and stays live).
   */
  async switchToNewSession(worker: PiWorker, timeoutMs: number): Promise<boolean> {
    const previous = worker.sessionId;
    // From here on a `continue` of the old session resumes its file elsewhere.
    if (this.live.get(previous) === worker) this.live.delete(previous);
    try {
      const response = await worker.proc.request({ type: 'new_session' }, timeoutMs);
      if (!response.success) {
        if (/unknown command/i.test(response.error ?? '')) {
          this.canSwitch = false;
          if (!this.live.has(previous)) {
            this.live.set(previous, worker);
            worker.busy = false;
            return false;
          }
        }
        throw new Error(response.error ?? 'new_session failed');
      }
      if (response.data.cancelled) throw new Error('new_session was cancelled');
      const answer = await worker.proc.request({ type: 'get_state' }, timeoutMs);
      const state = answer.success ? answer.data : {};
      // Everything a fresh process would have: a new, empty, idle session with the launch model.
      const fresh =
        answer.success &&
        typeof state.sessionId === 'string' &&
        state.sessionId !== previous &&
        state.messageCount === 0 &&
        state.isStreaming !== true &&
        !state.pendingMessageCount &&
        stateSignature(state) === worker.launchState;
      if (!fresh || typeof state.sessionId !== 'string') throw new Error('new_session left an unexpected state');
      worker.sessionId = state.sessionId;
      worker.hosted += 1;
      delete worker.sessionFile;
      if (typeof state.sessionFile === 'string') worker.sessionFile = state.sessionFile;
      this.hold(worker);
      return true;
    } catch {
      this.drop(worker);
      await worker.proc.kill();
      return false;
    }
  }

  /**
   * Between iterations: keeps the most recently used idle process of each launch key warm for the
   * next session and ends the other idle ones, so an overnight run holds a bounded number of pi
   * processes. The kept process's tool processes are ended, as they were when every idle process
   * was ended here: nothing the agent started runs on into the next iteration.
   */
  async release(): Promise<void> {
    const keep = new Map<string, PiWorker>();
    const ending: PiWorker[] = [];
    for (const w of this.workers) {
      if (w.busy) continue;
      const kept = keep.get(w.launchKey);
      if (canHost(w) && (!kept || w.lastUsed > kept.lastUsed)) {
        if (kept) ending.push(kept);
        keep.set(w.launchKey, w);
      } else {
        ending.push(w);
      }
    }
    for (const w of ending) this.drop(w);
    await Promise.all([...ending.map((w) => w.proc.kill()), ...[...keep.values()].map(sweepTools)]);
  }

  /** Takes every process out of the pool, for the caller to end. */
  takeAll(): PiWorker[] {
    const all = [...this.workers];
    this.workers.clear();
    this.live.clear();
    return all;
  }

  private hold(worker: PiWorker): void {
    this.live.set(worker.sessionId, worker);
    if (worker.sessionFile) this.files.set(worker.sessionId, worker.sessionFile);
  }
}

function canHost(worker: PiWorker): boolean {
  return worker.reusable && !worker.proc.exited && worker.hosted < MAX_SESSIONS_PER_PROCESS;
}

/** Ends the tool processes of an idle pi, sparing pi (and its guardian, where it has one). */
async function sweepTools(worker: PiWorker): Promise<void> {
  const spare = new Set(worker.proc.ownPids(childrenOf));
  await sweepGuarded(worker.proc.token, 1000, spare).catch(() => 0);
}

/** Direct children of a process (Linux /proc; elsewhere none, and the sweep finds nothing either). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return found;
}
