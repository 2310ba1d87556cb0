/**
 * `run --parallel`: each worker keeps one worktree and its pi processes from one task to the next.
 * The real CLI and pi (launched through a wrapper that records each start), a scripted model.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync as listDir, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultPiCli } from '../../src/agent/rpc/pi-launch.js';
import { readJournalFile } from '../../src/journal/read.js';
import { isMergeTreeName } from '../../src/parallel/merge-trees.js';
import { worktreesRoot } from '../../src/parallel/worktrees.js';
import type { TurnView } from '../../src/scripted-model/index.js';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { journalsOf } from '../helpers/harness-home.js';
import { processesMatching } from '../helpers/processes.js';
import { loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

const NAMES = ['alpha', 'beta', 'gamma', 'delta'];
const TASKS = `# Tasks\n\n${NAMES.map((name) => `- [ ] Add ${name}\n`).join('')}`;
const pass = say('Checked.\n\nVERDICT: PASS');

const readIf = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const nameIn = (view: TurnView) => NAMES.find((name) => view.prompt.includes(`Add ${name}`)) ?? 'alpha';

async function readJournalEvents(repo: string) {
  return (await journalsOf(repo)).flatMap((journal) => readJournalFile(journal).events);
}

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
    const r = await setup({
      tasks: TASKS,
      config: { parallel: 2 },
      plans: {
        developer: [(view) => [write(`${nameIn(view)}.txt`, 'x\n'), say('Done.')][view.step] ?? say('Done.')],
        tester: [() => pass],
      },
    });
    roots.push(worktreesRoot(r.repo));
    const logDir = mkdtempSync(path.join(tmpdir(), 'pi-starts-'));
    roots.push(logDir);
    const pi = recordingPi(logDir);
    const config = JSON.parse(readFileSync(path.join(r.repo, 'pi.config.json'), 'utf8'));
    writeFileSync(path.join(r.repo, 'pi.config.json'), JSON.stringify({ ...config, piCli: pi.piCli }));
    gitSync(r.repo, 'commit', '-qam', 'Record pi starts');
    const result = await r.run('run');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const events = await readJournalEvents(r.repo);
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
    expect(gitSync(r.repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(gitSync(r.repo, 'for-each-ref', 'refs/heads/pi-harness/').trim()).toBe('');
    // The workers' worktrees went when the run ended (the merge queue's too).
    const removed = events.flatMap((e) =>
      e.type === 'worktree_removed' && !isMergeTreeName(e.worker) ? [e.worktree] : [],
    );
    expect(removed.sort()).toEqual([...slots].sort());
  });

  it("a run killed during workers' second tasks: the next run keeps every work and leaves no worktree or branch", {
    timeout: 180_000,
  }, async () => {
    const r = await setup({
      tasks: TASKS,
      config: { parallel: 2 },
      plans: {
        developer: [
          (view: TurnView) => {
            const name = nameIn(view);
            // The third and fourth developer turns (the killed run's second tasks, in moved worktrees)
            // write work in progress, then hang.
            const hangs = view.occurrence === 2 || view.occurrence === 3;
            if (hangs)
              return [write(`${name}.txt`, `${name} in progress\n`), { kind: 'stall', seconds: 60 } as const][
                view.step
              ]!;
            return [write(`${name}.txt`, `${name}\n`), say('Done.')][view.step] ?? say('Done.');
          },
        ],
        tester: [() => pass],
      },
    });
    const root = worktreesRoot(r.repo);
    roots.push(root);
    const { proc, exited } = r.spawnCli('run');
    const inProgress = () =>
      existsSync(root)
        ? listDir(root).flatMap((run) =>
            listDir(path.join(root, run)).filter((n) =>
              NAMES.some((name) => readIf(path.join(root, run, n, `${name}.txt`)).includes('in progress')),
            ),
          )
        : [];
    const deadline = Date.now() + 90_000;
    while (inProgress().length < 2) {
      if (Date.now() > deadline) throw new Error('the second tasks never wrote their files');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    proc.kill('SIGKILL');
    await exited;
    const killedDeadline = Date.now() + 8_000;
    while (processesMatching(r.repo).length > 0 && Date.now() < killedDeadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    // The killed run's worktrees were the workers' first ones, moved to their second tasks.
    const killedEvents = await readJournalEvents(r.repo);
    expect(killedEvents.filter((e) => e.type === 'worktree_moved')).toHaveLength(2);
    const result = await r.run('run');
    expect(result.code).toBe(0);
    const events = await readJournalEvents(r.repo);
    expect(
      events
        .filter((e) => e.type === 'crash_recovery')
        .map((e) => e.iteration)
        .sort(),
    ).toEqual([3, 4]);
    const rescued = gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue/').trim();
    const kept = rescued
      .split('\n')
      .map((ref) => gitSync(r.repo, 'show', '--stat', '--format=', ref))
      .join('');
    // The two works in progress are both kept (which tasks they were depends on which merged first).
    expect(kept.match(/\w+\.txt/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    for (const name of NAMES) expect(await readFile(path.join(r.repo, `${name}.txt`), 'utf8')).toBe(`${name}\n`);
    expect(gitSync(r.repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(gitSync(r.repo, 'for-each-ref', 'refs/heads/pi-harness/').trim()).toBe('');
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });
});
