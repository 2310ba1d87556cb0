/**
 * What the harness keeps of a repository around an iteration, and what it reports after putting
 * it back. A snapshot is plain JSON (it can be saved next to the state); the content it needs —
 * config, hooks, ignored files — is stored as git blobs, kept reachable by two pin refs.
 */

export interface SnapshotLimits {
  /** Ignored files larger than this are listed, not kept. Default 1 MiB. */
  maxFileBytes: number;
  /** At most this much ignored content is kept in all. Default 64 MiB. */
  maxTotalBytes: number;
  /** Directory names never descended into for ignored files (build output, dependencies). */
  skipDirs: string[];
}

export const DEFAULT_LIMITS: SnapshotLimits = {
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  skipDirs: ['node_modules', 'dist', 'build', 'target', '.venv', 'vendor'],
};

export interface StashEntry {
  commit: string;
  /** The reflog message (`WIP on main: …`, `On main: …`). */
  message: string;
}

export interface StoredFile {
  /** Repository-relative path (ignored files) or name (hooks, config files). */
  path: string;
  /** The content as a blob; absent for a symlink. */
  blob?: string;
  /** Unix permission bits (0o755, 0o644). */
  mode: number;
  /** The link target, for a symlink. */
  symlink?: string;
}

export interface GitSnapshot {
  version: 1;
  label: string;
  takenAt: string;
  repoRoot: string;
  gitDir: string;
  gitCommonDir: string;
  /** The commit that keeps every ref's and stash entry's commit reachable (never reported as a change). */
  pinRef: string;
  /** The tree that keeps the stored content (config, hooks, ignored files) reachable, outside any commit. */
  contentRef: string;
  /** Every ref but the stash and the guard's own: name → object id, or `ref: <target>` for symbolic refs. */
  refs: Record<string, string>;
  /** The whole stash, newest first. */
  stash: StashEntry[];
  /** `config` (shared) and `config.worktree` (this work tree's), with null where there was none. */
  gitFiles: { name: 'config' | 'config.worktree'; file: string; blob: string | null }[];
  /** The files in the git directory's hooks folder. */
  hooks: StoredFile[];
  /** Ignored files present at the start that were kept. */
  ignored: StoredFile[];
  /** Ignored files present at the start but not kept (over the limits): named so the report can. */
  unprotected: string[];
}

/** What restoring found and did, one record per change (each a `guardrail_restore` journal event). */
export type RestoreRecord =
  | { kind: 'ref_restored'; ref: string; change: 'deleted' | 'moved'; from: string | null; to: string }
  /**
   * `deleted` when its new commits held files ignored at the start (`holding`): their secret must be
   * in no commit a ref reaches; the commit stays in git's object store.
   */
  | { kind: 'ref_created'; ref: string; target: string; action: 'kept' | 'deleted'; holding?: string[] }
  | { kind: 'stash_restored'; entries: StashEntry[] }
  /** A stash entry the agents made held files ignored at the start: rebuilt without them. */
  | { kind: 'stash_scrubbed'; message: string; removed: string[] }
  | { kind: 'git_file_restored'; file: string; change: 'deleted' | 'modified' | 'created'; movedTo?: string }
  | { kind: 'hook_restored'; hook: string; change: 'deleted' | 'modified' }
  | { kind: 'hook_removed'; hook: string; movedTo: string }
  | { kind: 'ignored_restored'; path: string }
  | { kind: 'ignored_changed'; path: string; original: string; action: 'kept' }
  | { kind: 'ignored_visible'; path: string }
  | { kind: 'restore_failed'; target: string; error: string };

/** How the caller's own ref moves are recognised (they are neither restored nor reported). */
export type OwnRef =
  /** Any value, creation and deletion included (rescue refs the harness creates). */
  | 'any'
  /** A move forward only: the old value is an ancestor of the new (the iteration's commits). */
  | 'fast-forward'
  /** Exactly this commit: anywhere else (where the snapshot found it included), it is put back here. */
  | { commit: string };

export interface RestoreOptions {
  /** Ref names (or prefixes ending in `/`) whose moves are the caller's own. */
  ownRefs?: Record<string, OwnRef>;
  /** Find and report the changes without putting anything back (guardrails: "warn"). */
  dryRun?: boolean;
}

export interface RestoreResult {
  records: RestoreRecord[];
  /**
   * Files ignored at the start that git no longer ignores (an edited .gitignore, a force-add):
   * treat them as pre-dirty — never commit them.
   */
  visibleIgnored: string[];
}
