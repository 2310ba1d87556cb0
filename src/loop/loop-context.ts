/** What one `once`/`run` shares between its parts: options, the run's context, prompt guidance. */
import type { Config } from '../config/load.js';
import type { JournalFold } from '../journal/fold/fold.js';
import type { Journal } from '../journal/writer.js';
import type { HarnessHome } from '../runtime/harness-home.js';
import type { StateStore } from '../runtime/state.js';
import type { LargeFileWarning } from '../vocabulary/files.js';
import type { CliIo } from '../vocabulary/io.js';
import type { ControlDesk } from './control-desk.js';
import type { RecentIteration } from './recent-iterations.js';

export type LoopMode = 'once' | 'run';

export interface LoopOptions {
  mode: LoopMode;
  config: Config;
  io: CliIo;
  signal: AbortSignal;
  /** Told once the run is open (its journal and fold exist, its control inbox listens): live views attach here. */
  onRunOpened?: (live: LiveRun) => void;
}

/** A run that has opened, as a live view (the dashboard) sees it. */
export interface LiveRun {
  runId: string;
  journal: Journal;
  /** The run's one fold, current with every event appended. */
  fold: JournalFold;
  /** The run's control inbox (control/inbox.ts). */
  inboxDir: string;
}

/** What the next prompts should be told, updated as iterations go by. */
export interface Guidance {
  loopConstraints: string[];
  largeFileWarnings: LargeFileWarning[];
  recent: RecentIteration[];
}

/** The run everything happens in; every step journals through `journal`, the one voice of the run. */
export interface LoopContext extends LoopOptions {
  runId: string;
  /** The run's directory out of the work tree's reach (journal, pi's files). */
  runDir: string;
  home: HarnessHome;
  /** The persistent state, in its safe place, with its projection. */
  store: StateStore;
  journal: Journal;
  /** Repo-relative paths that are the harness's own (never changes, never committed). */
  harnessPaths: string[];
  /** The run's one fold (what the views read, and what the loop checks the task file against). */
  fold: JournalFold;
  /** Operator control: requests from `pi-harness pause` … and the dashboard. */
  control: ControlDesk;
}
