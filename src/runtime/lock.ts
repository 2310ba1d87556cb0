/**
 * One run per repository. The lock file names its holder: run id, pid, the pid's kernel
 * start time (so a recycled pid is not mistaken for the holder), host, start, heartbeat, status
 * and command.
 *
 * Acquisition never checks-then-writes: the complete record is written to a temporary file and
 * hard-linked to the lock path, which fails with EEXIST if any lock exists (exclusive create, like
 * `wx`, but a reader can never see a half-written lock). A stale lock is taken over by first
 * hard-linking it to a name derived from its identity (`<lock>.stale-<runId>-<inode>`): only one
 * starter can create that name, so only one removes the stale lock, and the link doubles as the copy
 * kept aside for the report. Whoever then wins the exclusive create holds the lock.
 *
 * Stale means the holder is gone, never merely that the file fails the schema: a lock this
 * version cannot read whole is held while the process it names lives (lock-record.ts), and a lock
 * a newer version wrote stops the start (NewerVersionError) with nothing written.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { link, open, stat, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { writeFileAtomic, writeFileAtomicSync, writeTempFile } from '../util/atomic-file.js';
import { errorCode } from '../util/errors.js';
import { readProcessStartTime, staleReason, type StaleReason } from './liveness.js';
import { describeHolder, readLockText, LOCK_VERSION, type LockHolder, type LockRecord } from './lock-record.js';
import { NewerVersionError } from './newer-version.js';
import { OneAtATime } from '../util/one-at-a-time.js';

export type { LockHolder, LockRecord } from './lock-record.js';
export type { StaleReason };

export interface RecoveredStaleLock {
  reason: StaleReason;
  /** The previous holder, when its lock could be parsed. */
  previous?: LockRecord;
  /** Where the old lock file now lives (kept for the report and for crash recovery). */
  movedTo: string;
}

export class LockHeldError extends Error {
  readonly holder: LockHolder;
  readonly lockFile: string;

  constructor(lockFile: string, holder: LockHolder, problem?: string) {
    super(
      `another pi-harness run holds ${lockFile}: ${describeHolder(holder)}` +
        (problem ? ` (the lock file could not be read whole: ${problem}; its process is alive, so it is held)` : ''),
    );
    this.name = 'LockHeldError';
    this.holder = holder;
    this.lockFile = lockFile;
  }
}

type Observed =
  | { kind: 'missing' }
  | { kind: 'lock'; ino: number; record?: LockRecord; loose?: { holder: LockHolder; problem: string } };

/**
 * Reads the lock through one descriptor so its content and inode belong to the same file. A lock
 * of a newer version throws: it is never judged, taken over or replaced.
 */
async function observe(lockFile: string): Promise<Observed> {
  let handle;
  try {
    handle = await open(lockFile, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    const { ino } = await handle.stat();
    const reading = readLockText(await handle.readFile('utf8'));
    switch (reading.kind) {
      case 'valid':
        return { kind: 'lock', ino, record: reading.record };
      case 'newer':
        throw new NewerVersionError(lockFile, reading.version, LOCK_VERSION);
      case 'loose':
        return { kind: 'lock', ino, loose: { holder: reading.holder, problem: reading.problem } };
      case 'unreadable':
        return { kind: 'lock', ino };
    }
  } finally {
    await handle.close();
  }
}

/** Why the lock `observed` no longer holds, or undefined while its holder lives. */
function judge(
  observed: Extract<Observed, { kind: 'lock' }>,
  host: string,
  foreignHostStaleMs: number | undefined,
): StaleReason | undefined {
  if (observed.record) return staleReason(observed.record, host, new Date(), foreignHostStaleMs);
  if (!observed.loose) return 'unparseable';
  const { holder } = observed.loose;
  const identity = {
    pid: holder.pid,
    hostname: holder.hostname ?? host,
    processStartTime: holder.processStartTime ?? null,
    heartbeatAt: holder.heartbeatAt ?? '',
  };
  return staleReason(identity, host, new Date(), foreignHostStaleMs);
}

/**
 * Removes the stale lock `observed` if this starter is the one to claim it; returns where the
 * old lock is kept, or undefined when another starter got there first.
 */
async function claimStale(
  lockFile: string,
  observed: Extract<Observed, { kind: 'lock' }>,
): Promise<string | undefined> {
  const label = (observed.record?.runId ?? observed.loose?.holder.runId ?? 'unparseable').replace(
    /[^A-Za-z0-9._-]/g,
    '_',
  );
  const aside = `${lockFile}.stale-${label}-${observed.ino}`;
  try {
    await link(lockFile, aside);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST' || code === 'ENOENT') return undefined;
    throw error;
  }
  // The lock may have been replaced after we read it: only the generation we judged may go.
  if ((await stat(aside)).ino !== observed.ino) {
    await unlink(aside);
    return undefined;
  }
  await unlink(lockFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  return aside;
}

async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

export interface AcquireOptions {
  lockFile: string;
  runId: string;
  command: string;
  status?: string;
  /** Heartbeat period; 0 starts no timer. Default 30 s. */
  heartbeatIntervalMs?: number;
  /** A lock from another host counts as stale after this much heartbeat silence. Default 15 min. */
  foreignHostStaleMs?: number;
  /**
   * A copy of the record kept current for people and tools (`activeRunFile`), naming the real lock
   * file. Written on every change, recreated if deleted, removed on release; never read back.
   */
  projection?: string;
}

const MAX_ATTEMPTS = 50;

function newRecord(options: AcquireOptions, host: string): LockRecord {
  const now = new Date().toISOString();
  return {
    version: LOCK_VERSION,
    runId: options.runId,
    pid: process.pid,
    hostname: host,
    startedAt: now,
    processStartTime: readProcessStartTime(process.pid),
    heartbeatAt: now,
    status: options.status ?? 'starting',
    command: options.command,
  };
}

/**
 * Takes the run lock or throws LockHeldError naming the live holder (NewerVersionError when a newer
 * version wrote the lock: nothing is written then).
 */
export async function acquireRunLock(options: AcquireOptions): Promise<RunLock> {
  const { lockFile } = options;
  const host = osHostname();
  const record = newRecord(options, host);
  await observe(lockFile); // a newer version's lock stops us before anything is written
  // writeTempFile creates the lock's directory if needed.
  const temp = await writeTempFile(lockFile, `${JSON.stringify(record, null, 2)}\n`);
  let recovered: RecoveredStaleLock | undefined;
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (await tryLink(temp, lockFile)) {
        const lock = new RunLock({ ...options, record, recovered });
        await lock.project();
        return lock;
      }
      const observed = await observe(lockFile);
      if (observed.kind === 'missing') continue; // released between our link and our read
      const reason = judge(observed, host, options.foreignHostStaleMs);
      if (reason === undefined) {
        const holder = observed.record ?? observed.loose!.holder;
        throw new LockHeldError(lockFile, holder, observed.loose?.problem);
      }
      const movedTo = await claimStale(lockFile, observed);
      if (movedTo) recovered = { reason, movedTo, ...(observed.record ? { previous: observed.record } : {}) };
      else await delay(5 + attempt * 2); // another starter is recovering it: look again shortly
    }
    throw new Error(`could not acquire ${lockFile}: it kept changing during ${MAX_ATTEMPTS} attempts`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

interface RunLockInit extends AcquireOptions {
  record: LockRecord;
  recovered: RecoveredStaleLock | undefined;
}

/** A held run lock. Writes are serialized so heartbeats and status changes never interleave. */
export class RunLock {
  readonly lockFile: string;
  /** Set when this run took over a stale lock: the loop runs crash recovery and reports it. */
  readonly recoveredStale: RecoveredStaleLock | undefined;
  /** The last heartbeat error, if the timer's write failed (the run goes on; the lock is still ours). */
  lastHeartbeatError: unknown;
  private readonly projection: string | undefined;
  private current: LockRecord;
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new OneAtATime();
  private released = false;

  constructor(init: RunLockInit) {
    this.lockFile = init.lockFile;
    this.current = init.record;
    this.recoveredStale = init.recovered;
    this.projection = init.projection;
    const heartbeatIntervalMs = init.heartbeatIntervalMs ?? 30_000;
    if (heartbeatIntervalMs > 0) {
      this.timer = setInterval(() => {
        this.heartbeat().catch((error: unknown) => {
          this.lastHeartbeatError = error;
        });
      }, heartbeatIntervalMs);
      this.timer.unref(); // a heartbeat must never keep the process alive
    }
  }

  get record(): Readonly<LockRecord> {
    return this.current;
  }

  heartbeat(): Promise<void> {
    return this.update({ heartbeatAt: new Date().toISOString() });
  }

  setStatus(status: string): Promise<void> {
    return this.update({ status, heartbeatAt: new Date().toISOString() });
  }

  /**
   * Writes the projection (recreating its directory): at acquisition, on every change, and whenever
   * the loop finds the runtime directory gone. A failed write never costs the lock. Replaced whole
   * but not flushed to disk: it is a copy for people and tools, written again with every change,
   * and the lock it copies is flushed.
   */
  async project(): Promise<void> {
    if (!this.projection || this.released) return;
    const copy = { ...this.current, lockFile: this.lockFile };
    try {
      writeFileAtomicSync(this.projection, `${JSON.stringify(copy, null, 2)}\n`, { createDirectory: true });
    } catch {
      // Only the copy is missing; the next change writes it again.
    }
  }

  /** Stops the heartbeat and removes the lock file if it is still ours; true when removed. */
  async release(): Promise<boolean> {
    this.stopHeartbeat();
    await this.writes.idle();
    if (this.released) return false;
    this.released = true;
    if (this.projection) await unlink(this.projection).catch(() => undefined);
    if (!(await this.stillOurs())) return false;
    await unlink(this.lockFile).catch(() => undefined);
    return true;
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private update(change: Partial<LockRecord>): Promise<void> {
    return this.writes.run(async () => {
      if (this.released) return;
      // Never write over a lock that another run took over (it judged us dead).
      if (!(await this.stillOurs())) {
        this.stopHeartbeat();
        throw new Error(`run lock ${this.lockFile} is no longer held by run ${this.current.runId}`);
      }
      const record = { ...this.current, ...change };
      await writeFileAtomic(this.lockFile, `${JSON.stringify(record, null, 2)}\n`);
      this.current = record;
      await this.project();
    });
  }

  private async stillOurs(): Promise<boolean> {
    const observed = await observe(this.lockFile).catch(() => undefined);
    const holder = observed?.kind === 'lock' ? observed.record : undefined;
    return holder?.runId === this.current.runId && holder.pid === this.current.pid;
  }
}
