/** A run's merge queue in a test repository: the start branch `main`, its worktree where a run keeps it. */
import path from 'node:path';
import type { Config } from '../../src/config/load.js';
import type { Journal } from '../../src/journal/writer.js';
import type { RunIntegrity } from '../../src/loop/integrity-run.js';
import { MergeQueue } from '../../src/parallel/merge-queue.js';
import { worktreesRoot } from '../../src/parallel/worktrees.js';

export function testMergeQueue(options: {
  config: Config;
  journal: Journal;
  runId: string;
  signal?: AbortSignal;
  integrity?: RunIntegrity;
  lookahead?: number;
}): MergeQueue {
  const { config, journal, runId, integrity, lookahead } = options;
  return new MergeQueue({
    config,
    journal,
    runId,
    startBranch: 'refs/heads/main',
    dir: path.join(worktreesRoot(config.repoRoot), runId, 'merge'),
    env: process.env,
    signal: options.signal ?? new AbortController().signal,
    ...(integrity ? { integrity } : {}),
    ...(lookahead ? { lookahead } : {}),
  });
}
