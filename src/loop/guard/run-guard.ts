/**
 * The guardrails of one run, wired into the loop (docs/guardrails.md):
 *
 * - at run start: the repository's hooks copied once (the harness's commits and the agents' own git
 *   run them from there, never from `.git/hooks`), and what every pi is launched with — the guard
 *   extension, the files it reads and writes, git's own refusals in its environment;
 * - before each turn: the guard's context file rewritten (role, iteration, start commit, the files
 *   dirty and ignored at the start, the lists, the mode);
 * - as tool calls end: the guard's blocks journaled (`guardrail_block`);
 * - around each iteration: the snapshot taken before the first turn, compared and put back before the
 *   harness commits and before the iteration's end (`guardrail_restore`), released afterwards.
 *
 * With `guardrails: "off"` nothing is loaded or snapshotted; the run-start copy of the hooks is still
 * taken when the harness's commits run them (`commitHooks`).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { guardFiles, GUARD_CONTEXT_ENV, GUARD_LOG_ENV, writeGuardContext } from '../../guardrails/context.js';
import { guardrailsExtensionPath } from '../../guardrails/extension-path.js';
import { copyRunStartHooks, guardedGitEnv, runStartHooksDir } from '../../guardrails/git-env.js';
import {
  releaseSnapshot,
  removeSavedSnapshot,
  restoreSnapshot,
  saveSnapshot,
  takeSnapshot,
  type GitSnapshot,
  type OwnRef,
  type SnapshotLimits,
} from '../../guardrails/snapshot/index.js';
import type { Config } from '../../config/load.js';
import { errorMessage } from '../../util/errors.js';
import type { GuardrailMode, RestoreMoment } from '../../vocabulary/guardrails.js';
import type { Role } from '../../vocabulary/roles.js';
import { git } from '../../workspace/git.js';
import type { CommitHooks } from '../../workspace/hooked-commit.js';
import { setIndexEntries } from '../../workspace/tree-builder.js';
import type { LoopContext } from '../loop-context.js';
import { BlockLogReader, blockEvent } from './block-events.js';
import { restoreEvent } from './restore-events.js';

/** What every pi process of the run is started with. */
export interface PiGuardLaunch {
  extensions: string[];
  env: Record<string, string>;
}

/** The iteration the guard watches over. */
export interface GuardedIteration {
  iteration: number;
  startCommit: string;
  /** The branch HEAD was on (`refs/heads/…`), null when detached. */
  startBranch: string | null;
  /** The iteration's pre-dirty paths: the guard adds the ignored files the agents made visible. */
  preDirty: Set<string>;
}

/** A snapshot being taken: the snapshot, why it could not be, or nothing (guardrails off). */
export type SnapshotTaking = Promise<{ snapshot: GitSnapshot } | { error: unknown } | undefined>;

interface Watched extends GuardedIteration {
  snapshot?: GitSnapshot;
  /** Files ignored at the start that the last comparison found visible. */
  visibleNow: string[];
}

export interface GitLocations {
  gitDir: string;
  gitCommonDir: string;
}

export async function gitLocations(repoRoot: string): Promise<GitLocations> {
  const absolute = async (flag: string) => path.resolve(repoRoot, (await git(repoRoot, ['rev-parse', flag])).trim());
  return { gitDir: await absolute('--git-dir'), gitCommonDir: await absolute('--git-common-dir') };
}

/** The `protectIgnored` setting as the snapshot takes it. */
function snapshotLimits(setting: Config['protectIgnored']): boolean | Partial<SnapshotLimits> {
  if (typeof setting === 'boolean') return setting;
  return {
    ...(setting.maxFileBytes !== undefined ? { maxFileBytes: setting.maxFileBytes } : {}),
    ...(setting.maxTotalBytes !== undefined ? { maxTotalBytes: setting.maxTotalBytes } : {}),
    ...(setting.skipDirs !== undefined ? { skipDirs: [...setting.skipDirs] } : {}),
  };
}

/**
 * A parallel run's worker has a guard of its own over its worktree: its own context and block files
 * (`label`), the run's hooks copy shared (taken and removed by the run's guard), and the refs the
 * scheduler moves while its iteration runs declared as not the agents' doing.
 */
export interface WorkerGuardOptions {
  label: string;
  /** Asked at every restore: the scheduler's refs as they may move by then. */
  ownRefs: () => Record<string, OwnRef>;
  /**
   * Runs a restore while the scheduler moves none of its refs: a comparison made halfway through
   * a move would take the scheduler's move for an agent's and put the ref back over it.
   */
  exclusive: <T>(work: () => Promise<T>) => Promise<T>;
}

export class RunGuard {
  readonly mode: GuardrailMode;
  /** The run-start copy of the hooks for the harness's own commits; undefined with `commitHooks: false`. */
  readonly commitHooks: CommitHooks | undefined;
  /** Files the agents made visible that were ignored at an iteration's start: never committed, run-wide. */
  readonly visibleIgnored = new Set<string>();
  readonly locations: GitLocations;
  private readonly ctx: LoopContext;
  private readonly hooksDir: string;
  private readonly files: { context: string; log: string };
  private readonly blocks: BlockLogReader;
  private watched: Watched | undefined;
  private readonly worker: WorkerGuardOptions | undefined;

  private constructor(ctx: LoopContext, locations: GitLocations, worker?: WorkerGuardOptions) {
    this.ctx = ctx;
    this.locations = locations;
    this.worker = worker;
    this.mode = ctx.config.guardrails;
    this.hooksDir = runStartHooksDir(locations.gitCommonDir, ctx.runId);
    this.files = guardFiles(locations.gitCommonDir, worker ? `${ctx.runId}/${worker.label}` : ctx.runId);
    this.blocks = new BlockLogReader(this.files.log);
    this.commitHooks = ctx.config.commitHooks
      ? { dir: this.hooksDir, timeoutMs: ctx.config.verificationTimeoutSeconds * 1000 }
      : undefined;
  }

  static async open(ctx: LoopContext, worker?: WorkerGuardOptions): Promise<RunGuard> {
    return new RunGuard(ctx, await gitLocations(ctx.config.repoRoot), worker);
  }

  /**
   * Copies the repository's hooks as they are now: once, at run start, after a crashed iteration's
   * snapshot has been put back (so a hook planted before the crash is not taken for the user's).
   */
  async copyHooks(): Promise<void> {
    if (this.mode !== 'off' || this.commitHooks) await copyRunStartHooks(this.ctx.config.repoRoot, this.hooksDir);
  }

  /** What pi is started with: the guard and git's refusals; nothing when the guardrails are off. */
  piLaunch(): PiGuardLaunch | undefined {
    if (this.mode === 'off') return undefined;
    return {
      extensions: [guardrailsExtensionPath()],
      env: {
        [GUARD_CONTEXT_ENV]: this.files.context,
        [GUARD_LOG_ENV]: this.files.log,
        ...guardedGitEnv({ hooksPath: this.hooksDir, baseEnv: this.ctx.io.env }),
      },
    };
  }

  /**
   * Takes and saves the iteration's snapshot: what the agents may not lose, as it is before any of
   * them works. The iteration starts it while it reads the tree and records its start (nothing else
   * moves a ref meanwhile); beginIteration waits for it. Saved before the state names the iteration,
   * it is released by the next run's start if the harness dies in between: no agent had worked.
   */
  takeSnapshot(iteration: number): SnapshotTaking {
    if (this.mode === 'off') return Promise.resolve(undefined);
    const { config, runId, harnessPaths } = this.ctx;
    const taking = takeSnapshot({
      repoRoot: config.repoRoot,
      label: `${runId}-${iteration}`,
      protectIgnored: snapshotLimits(config.protectIgnored),
      harnessPaths,
    }).then(async (snapshot) => {
      await saveSnapshot(snapshot);
      return { snapshot };
    });
    return taking.catch((error: unknown) => ({ error }));
  }

  /** Before the iteration's first turn: what the agents may not lose is recorded. */
  async beginIteration(
    iteration: GuardedIteration,
    taking: SnapshotTaking = this.takeSnapshot(iteration.iteration),
  ): Promise<void> {
    for (const file of this.visibleIgnored) iteration.preDirty.add(file);
    const watched: Watched = { ...iteration, visibleNow: [] };
    this.watched = watched;
    const taken = await taking;
    if (taken === undefined) return;
    if ('snapshot' in taken) {
      watched.snapshot = taken.snapshot;
      return;
    }
    this.ctx.journal.append({
      type: 'warning',
      iteration: iteration.iteration,
      message:
        `the guardrail snapshot could not be taken (${errorMessage(taken.error)}); ` +
        'refs, stash, git config, hooks and ignored files are not checked after this iteration',
    });
  }

  /** Before each turn: the guard inside pi reads who is acting and on what. */
  async beforeTurn(role: Role): Promise<void> {
    if (this.mode === 'off') return;
    const { config } = this.ctx;
    const watched = this.watched;
    const snapshot = watched?.snapshot;
    const ignoredAtStart = [
      ...(snapshot?.ignored.map((file) => file.path) ?? []),
      ...(snapshot?.unprotected ?? []),
      ...this.visibleIgnored,
    ];
    await writeGuardContext(this.files.context, {
      version: 1,
      mode: this.mode,
      repoRoot: config.repoRoot,
      gitDir: this.locations.gitDir,
      gitCommonDir: this.locations.gitCommonDir,
      runtimeDir: config.piRuntimeDir,
      role,
      ...(watched
        ? { iteration: watched.iteration, startCommit: watched.startCommit, preDirty: [...watched.preDirty] }
        : {}),
      ignoredAtStart: [...new Set(ignoredAtStart)],
      allow: [...config.guardrailsAllow],
      deny: [...config.guardrailsDeny],
    });
  }

  /** Journals the blocks the guard recorded since the last call. */
  drainBlocks(): void {
    if (this.mode === 'off') return;
    for (const record of this.blocks.next()) this.ctx.journal.append(blockEvent(record));
  }

  /**
   * Compares the repository with the snapshot and puts back what changed (warn mode: reports it),
   * except the refs the harness moves itself. Files the agents made visible become pre-dirty: never
   * committed. Returns whether the iteration's reading of the work tree is stale (a ref put back may
   * have moved HEAD; a file made visible is no longer the iteration's change).
   */
  async restore(moment: Exclude<RestoreMoment, 'crash_recovery'>): Promise<boolean> {
    const watched = this.watched;
    if (!watched?.snapshot) return false;
    const dryRun = this.mode === 'warn';
    const { snapshot } = watched;
    const compare = () => restoreSnapshot(snapshot, { ownRefs: this.ownRefs(watched), dryRun });
    const result = await (this.worker ? this.worker.exclusive(compare) : compare());
    for (const record of result.records)
      this.ctx.journal.append(restoreEvent(record, { moment, iteration: watched.iteration, dryRun }));
    let stale = !dryRun && result.records.some((record) => record.kind === 'ref_restored');
    watched.visibleNow = result.visibleIgnored;
    for (const file of result.visibleIgnored) {
      if (!watched.preDirty.has(file)) stale = true;
      this.visibleIgnored.add(file);
      watched.preDirty.add(file);
    }
    return stale;
  }

  /**
   * Changed ignore-rule files (`.gitignore`) to keep out of the commit: when the last comparison
   * found files ignored at the start made visible, the change that did it is held back (kept aside
   * with the iteration's leftovers), so the user's files are ignored again afterwards.
   */
  holdBack(changed: readonly string[]): string[] {
    if (!this.watched?.visibleNow.length) return [];
    return changed.filter((file) => path.posix.basename(file) === '.gitignore');
  }

  /**
   * The refs the harness moves itself during an iteration: its commits on the start branch (moves
   * forward only) and the iteration's own rescue refs. Every other ref — a rescue ref of an earlier
   * iteration included — is put back whatever happened to it.
   */
  private ownRefs(watched: Watched): Record<string, OwnRef> {
    const rescue = `refs/pi-harness/rescue/${this.ctx.runId}/${watched.iteration}`;
    return {
      ...this.worker?.ownRefs(),
      ...(watched.startBranch ? { [watched.startBranch]: 'fast-forward' as const } : {}),
      [rescue]: 'any',
      [`${rescue}-leftover`]: 'any',
    };
  }

  /**
   * After the iteration's end: files the agents made visible are taken out of the index again (their
   * bytes stay on disk, untouched), and the snapshot is released.
   */
  async endIteration(): Promise<void> {
    const watched = this.watched;
    this.watched = undefined;
    if (!watched) return;
    await this.unstage([...watched.preDirty].filter((file) => this.visibleIgnored.has(file)));
    if (!watched.snapshot) return;
    await releaseSnapshot(watched.snapshot);
    await removeSavedSnapshot(this.locations.gitCommonDir, watched.snapshot.label);
  }

  /**
   * Takes files ignored at the start out of the index again, as HEAD has them (not at all): an agent
   * that staged a `.env` it made visible leaves no staged secret behind. The files stay on disk.
   */
  async unstage(files: readonly string[]): Promise<void> {
    if (files.length === 0) return;
    await setIndexEntries(this.ctx.config.repoRoot, process.env, 'HEAD', files).catch(() => undefined);
  }

  /** At the run's end: the run's guard files and hooks copy are removed. */
  async close(): Promise<void> {
    await rm(path.dirname(this.files.context), { recursive: true, force: true });
    if (!this.worker) await rm(this.hooksDir, { recursive: true, force: true });
  }
}
