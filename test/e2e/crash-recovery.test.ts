/**
 * Crash recovery never loses a commit (docs/iteration.md, "After a crash"): the built CLI is
 * SIGKILLed at a chosen moment, the user may go on working, and the next run recovers. Real pi,
 * the scripted model, real git.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/scripted-model/index.js';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { homeOf, journalsOf } from '../helpers/harness-home.js';
import { CAPTURE_SCRIPT } from '../helpers/png.js';
import { processesMatching } from '../helpers/processes.js';
import { bash, loopRepo, say, write, type LoopRepo } from './loop-helpers.js';
import { isReviewRequest, NODE, reviewAnswer } from './visual-helpers.js';

const setup = closedAfterEach(loopRepo);
const STALL: ScriptStep = { kind: 'stall', seconds: 60 };

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** SIGKILLs the CLI and waits until pi and its tools are gone too. */
async function kill(r: LoopRepo, cli: ReturnType<LoopRepo['spawnCli']>): Promise<void> {
  cli.proc.kill('SIGKILL');
  await cli.exited;
  await until(() => processesMatching(r.repo).length === 0, 8_000, 'pi and its tools to exit after the harness died');
}

const head = (r: LoopRepo) => gitSync(r.repo, 'rev-parse', 'HEAD').trim();
const isAncestor = (r: LoopRepo, commit: string) => {
  try {
    gitSync(r.repo, 'merge-base', '--is-ancestor', commit, 'HEAD');
    return true;
  } catch {
    return false;
  }
};
const rescueRefs = (r: LoopRepo) =>
  gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim().split('\n').filter(Boolean);

async function crashRecovery(r: LoopRepo): Promise<Record<string, unknown>> {
  for (const journal of await journalsOf(r.repo)) {
    for (const line of readFileSync(journal, 'utf8').split('\n').filter(Boolean)) {
      const event = JSON.parse(line) as Record<string, unknown>;
      if (event.type === 'crash_recovery') return event;
    }
  }
  throw new Error('no crash_recovery event');
}

async function taskRecords(r: LoopRepo): Promise<{ lastStatus: string; attempts: number }[]> {
  const state = JSON.parse(readFileSync((await homeOf(r.repo)).stateFile, 'utf8'));
  return Object.values(state.tasks);
}

describe('crash recovery never loses a commit', () => {
  it('killed during the visual review that follows a commit: the commit stays, the iteration counts as succeeded', {
    timeout: 90_000,
  }, async () => {
    let reviews = 0;
    const r = await setup({
      tasks: '- [ ] Write the title\n- [ ] Write the footer\n',
      vision: true,
      files: { 'capture.mjs': CAPTURE_SCRIPT },
      config: {
        visualReviewEnabled: true,
        visualReviewEveryNSuccesses: 1,
        visualCaptureCommand: `${NODE} capture.mjs home`,
      },
      // The first review never answers (the harness is killed in it); later ones pass.
      script: (request) => {
        if (!isReviewRequest(request)) return undefined;
        return reviews++ === 0 ? STALL : { kind: 'text', text: reviewAnswer('PASS', 'Fine.') };
      },
      plans: {
        developer: [
          [write('title.txt', 'Title\n'), say('Wrote the title.')],
          [write('footer.txt', 'Footer\n'), say('Wrote the footer.')],
        ],
        tester: [[say('VERDICT: PASS')]],
      },
    });
    const first = r.spawnCli('once');
    await until(() => r.server.completionRequests().some(isReviewRequest), 30_000, 'the visual review to start');
    const commit = head(r);
    expect(r.log()[0]).toBe('Write the title');
    await kill(r, first);

    const next = await r.run('once');
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(isAncestor(r, commit)).toBe(true);
    expect(r.log()).toEqual(['Write the footer', 'Write the title', 'initial']);
    expect(next.stdout).toMatch(/its commit [0-9a-f]{10} had been made: it stays/);
    expect(await crashRecovery(r)).toMatchObject({ recorded: 'succeeded', commit, source: 'state' });
    expect((await taskRecords(r)).map((task) => [task.lastStatus, task.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
  });

  it("killed mid-turn, then the user commits a file of theirs: the user's commit stays, the agent's work is rescued", {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: '- [ ] Write the notes\n',
      plans: {
        developer: [
          [write('notes.txt', 'work in progress\n'), STALL],
          [write('notes.txt', 'finished notes\n'), say('Wrote notes.txt.')],
        ],
        tester: [[say('VERDICT: PASS')]],
      },
    });
    const first = r.spawnCli('once');
    await until(() => existsSync(path.join(r.repo, 'notes.txt')), 20_000, 'the developer to write notes.txt');
    await kill(r, first);

    // The user goes on working on the branch while no run is going.
    writeFileSync(path.join(r.repo, 'mine.txt'), 'my own file\n');
    gitSync(r.repo, 'add', 'mine.txt');
    gitSync(r.repo, 'commit', '-qm', 'My own work');
    const mine = head(r);

    const next = await r.run('once');
    expect(next.code).toBe(0);
    expect(isAncestor(r, mine)).toBe(true);
    expect(r.log()).toEqual(['Write the notes', 'My own work', 'initial']);
    expect(next.stdout).toMatch(/HEAD was moved after the crash .*not by the iteration's agents: it stays there/);
    const [rescue] = rescueRefs(r);
    expect(r.show(rescue!, 'notes.txt')).toBe('work in progress\n');
    expect(gitSync(r.repo, 'rev-parse', `${rescue}^`).trim()).toBe(mine); // only the uncommitted work, on top of it
    expect(await crashRecovery(r)).toMatchObject({ recorded: 'crashed', keptHead: mine });
    expect(r.show('HEAD', 'mine.txt')).toBe('my own file\n');
  });

  it('an agent that committed mid-turn and was killed: its commit is rescued and HEAD goes back to the start', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: '- [ ] Write the notes\n',
      plans: {
        developer: [
          [bash('echo draft > draft.txt && git add draft.txt && git commit -qm "Agent draft"'), STALL],
          [write('notes.txt', 'finished notes\n'), say('Wrote notes.txt.')],
        ],
        tester: [[say('VERDICT: PASS')]],
      },
    });
    const start = head(r);
    const first = r.spawnCli('once');
    await until(() => r.log()[0] === 'Agent draft', 20_000, 'the developer to commit its draft');
    await kill(r, first);

    const next = await r.run('once');
    expect(next.code).toBe(0);
    expect(r.log()).toEqual(['Write the notes', 'initial']); // the draft is off the branch
    expect(gitSync(r.repo, 'rev-parse', 'HEAD^').trim()).toBe(start);
    expect(existsSync(path.join(r.repo, 'draft.txt'))).toBe(false);
    const [rescue] = rescueRefs(r);
    expect(r.show(rescue!, 'draft.txt')).toBe('draft\n');
    expect(gitSync(r.repo, 'log', '-1', '--format=%B', rescue!)).toContain('Agent draft');
    expect(await crashRecovery(r)).toMatchObject({
      recorded: 'crashed',
      notes: [expect.stringMatching(/agents' commits were never accepted/)],
    });
  });
});
