/**
 * `run --parallel`: each worker keeps one worktree and its pi processes from one task to the next.
 * The real CLI and pi (launched through a wrapper that records each start), a scripted model.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPiCli } from '../../src/agent/rpc/pi-launch.js';
import { isMergeTreeName } from '../../src/parallel/merge-trees.js';
import { worktreesRoot } from '../../src/parallel/worktrees.js';
import { gitSync } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';
import { say, write } from './loop-helpers.js';
import {
  eventsOfEveryRun,
  expectEveryTaskDoneAndNothingLeft,
  expectNoWorktreeOrWorkerBranchLeft,
  killRunWithWorkInProgress,
  namedTasksRepo,
  parallelRepoMaker,
  rescuedWork,
  runAgainAfterKill,
  writeFinishedWork,
  writeWorkInProgress,
} from './parallel-helpers.js';

const setup = parallelRepoMaker();

const NAMES = ['alpha', 'beta', 'gamma', 'delta'];

/** A pi command that writes the directory it starts in to `log`, one line a start, then runs pi. */
function recordingPi(dir: string): { piCli: string; starts: () => string[] } {
  const log = path.join(dir, 'pi-starts.log');
  const piCli = path.join(dir, 'pi-recording.sh');
  writeFileSync(
    piCli,
    `#!/bin/sh\nreadlink /proc/$$/cwd >> "${log}"\nexec "${process.execPath}" "${defaultPiCli()}" "$@"\n`,
  );
  chmodSync(piCli, 0o755);
  return { piCli, starts: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

describe('run --parallel, warm workers', () => {
  it("a worker's later tasks run in the same worktree and the same pi processes as its first", {
    timeout: 180_000,
  }, async () => {
    const r = await namedTasksRepo(setup, {
      names: NAMES,
      workers: 2,
      developer: (name) => [write(`${name}.txt`, 'x\n'), say('Done.')],
    });
    const pi = recordingPi(await tempDir('pi-starts-'));
    const config = JSON.parse(readFileSync(path.join(r.repo, 'pi.config.json'), 'utf8'));
    writeFileSync(path.join(r.repo, 'pi.config.json'), JSON.stringify({ ...config, piCli: pi.piCli }));
    gitSync(r.repo, 'commit', '-qam', 'Record pi starts');
    const result = await r.run('run');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const events = await eventsOfEveryRun(r.repo);
    const starts = events.filter((e) => e.type === 'worker_start');
    expect(starts).toHaveLength(4);
    // Each worker ran in one worktree: the later iterations moved it rather than making another.
    const slots = new Set(starts.map((e) => e.worktree));
    expect(slots.size).toBe(2);
    const moved = events.filter((e) => e.type === 'worktree_moved');
    expect(moved).toHaveLength(2);
    // Before it moved on, the branch it left was held: by its merge (the merge record, or the start
    // branch itself when the squashed commit came out identical to the worker's), or — its merge still
    // queued — by a rescue ref, which went once the merge was recorded: every task merged, no rescue
    // ref is left, and each commit left behind is in a merge record or the start branch.
    for (const move of moved) {
      expect(move.keptIn).toMatch(/^refs\/(pi-harness\/merged\/.*|pi-harness\/rescue\/.*-unmerged|heads\/main)$/);
      const holders = gitSync(
        r.repo,
        'for-each-ref',
        `--contains=${move.head}`,
        'refs/pi-harness/merged/',
        'refs/heads/main',
      );
      expect(holders.trim()).not.toBe('');
    }
    expect(gitSync(r.repo, 'for-each-ref', 'refs/pi-harness/rescue/').trim()).toBe('');
    // Eight turns (a developer and a tester per task), and pi started in each worker's worktree once:
    // its second task's turns ran in the process its first task's left warm (a worktree per
    // iteration would start one per iteration at least). The harness's own start-up probe runs in
    // the repository.
    expect(events.filter((e) => e.type === 'turn_start')).toHaveLength(8);
    const inWorktrees = pi.starts().filter((dir) => dir.startsWith(worktreesRoot(r.repo)));
    expect(inWorktrees.sort(), pi.starts().join('\n')).toEqual([...slots].sort());
    for (const name of NAMES) expect(existsSync(path.join(r.repo, `${name}.txt`))).toBe(true);
    expectNoWorktreeOrWorkerBranchLeft(r.repo);
    // The workers' worktrees went when the run ended (the merge queue's too).
    const removed = events.flatMap((e) =>
      e.type === 'worktree_removed' && !isMergeTreeName(e.worker) ? [e.worktree] : [],
    );
    expect(removed.sort()).toEqual([...slots].sort());
  });

  it("a run killed during workers' second tasks: the next run keeps every work and leaves no worktree or branch", {
    timeout: 180_000,
  }, async () => {
    const r = await namedTasksRepo(setup, {
      names: NAMES,
      workers: 2,
      // The third and fourth developer turns (the killed run's second tasks, in moved worktrees)
      // write work in progress, then hang.
      developer: (name, view) =>
        view.occurrence === 2 || view.occurrence === 3 ? writeWorkInProgress(name) : writeFinishedWork(name),
    });
    await killRunWithWorkInProgress(r, { names: NAMES, worktrees: 2, withinMs: 90_000 });
    // The killed run's worktrees were the workers' first ones, moved to their second tasks.
    const killedEvents = await eventsOfEveryRun(r.repo);
    expect(killedEvents.filter((e) => e.type === 'worktree_moved')).toHaveLength(2);
    const events = await runAgainAfterKill(r);
    expect(
      events
        .filter((e) => e.type === 'crash_recovery')
        .map((e) => e.iteration)
        .sort(),
    ).toEqual([3, 4]);
    // The two works in progress are both kept (which tasks they were depends on which merged first).
    expect(rescuedWork(r.repo).match(/\w+\.txt/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    await expectEveryTaskDoneAndNothingLeft(r.repo, NAMES);
  });
});
