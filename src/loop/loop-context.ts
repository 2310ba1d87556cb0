/** What one `once`/`run` shares between its parts: options, the run's context, prompt guidance. */
import type { CliIo } from '../vocabulary/io.js';
import type { Config } from '../config/load.js';
import type { Journal } from '../journal/writer.js';
import type { HistoryEntry } from './history.js';
import type { LargeFileWarning } from '../vocabulary/files.js';

export type LoopMode = 'once' | 'run';

export interface LoopOptions {
  mode: LoopMode;
  config: Config;
  io: CliIo;
  signal: AbortSignal;
}

/** What the next prompts should be told, updated as iterations go by. */
export interface Guidance {
  loopConstraints: string[];
  largeFileWarnings: LargeFileWarning[];
  history: HistoryEntry[];
}

export interface LoopContext extends LoopOptions {
  runId: string;
  runDir: string;
  journal: Journal;
  harnessPaths: string[];
  say: (line: string) => void;
}
