/**
 * The harness's own state survives the agent and a crash (docs/iteration.md, docs/journal.md):
 * the lock, the state and the journals live under the git common directory, one lock per
 * repository; an agent wiping the work tree's runtime directory mid-run costs nothing; files of a
 * newer version are left alone; a corrupt state's crash recovery comes back from the journal; a
 * runtime file configured inside the repository is the harness's, never the user's.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../src/scripted-model/index.js';
import { cli } from '../helpers/cli.js';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { homeOf, journalsOf } from '../helpers/harness-home.js';
import { processesMatching } from '../helpers/processes.js';
import { bash, loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);
const STALL: ScriptStep = { kind: 'stall', seconds: 60 };

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const events = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });

/** Developer writes notes.txt, then the model goes silent (a turn in flight to kill). */
const stalling = () =>
  setup({
    tasks: '- [ ] Write the notes\n',
    plans: {
      developer: [
        [write('notes.txt', 'work in progress\n'), STALL],
        [write('notes.txt', 'finished notes\n'), say('Wrote notes.txt.')],
      ],
      tester: [[say('VERDICT: PASS')]],
    },
  });

describe("the harness's state is out of the agent's reach", () => {
  it('an agent that runs git clean -fdx and rm -rf .pi-harness mid-run costs no lock, state or journal', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: '- [ ] Write the notes\n',
      plans: {
        developer: [
          [
            // Through a script, as an agent could disguise it from any check of its commands.
            write('wipe.sh', 'git clean -fdxq\nrm -rf .pi-harness\n'),
            bash('sh wipe.sh'),
            write('notes.txt', 'notes\n'),
            say('Cleaned up and wrote notes.txt.'),
          ],
        ],
        tester: [[say('VERDICT: PASS')]],
      },
    });
    const result = await r.run('once');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/runtime directory \.pi-harness was deleted during the run; it was recreated/);
    expect(r.log()).toEqual(['Write the notes', 'initial']);
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'notes.txt']);
    const home = await homeOf(r.repo);
    const [journal, ...more] = await journalsOf(r.repo);
    expect(more).toEqual([]);
    const written = events(journal!);
    expect(written.at(-1)).toMatchObject({ type: 'run_end', exitCode: 0 });
    // Every projection was rebuilt from the journal: the log has a line for every event, before the wipe too.
    const log = readFileSync(path.join(r.repo, '.pi-harness', 'harness.log'), 'utf8')
      .trim()
      .split('\n');
    expect(log).toHaveLength(written.length);
    expect(log[0]).toMatch(/pi-harness \S+ once \(pid/);
    const state = JSON.parse(readFileSync(home.stateFile, 'utf8'));
    expect(Object.values(state.tasks)).toEqual([expect.objectContaining({ lastStatus: 'succeeded', attempts: 1 })]);
    expect(state.inProgress).toBeNull();
    expect(JSON.parse(readFileSync(path.join(r.repo, '.pi-harness', 'state.json'), 'utf8'))).toEqual(state);
    expect(existsSync(home.lockFile)).toBe(false);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    const report = await cli(['report', '--json'], { cwd: r.repo, env: {} });
    expect(JSON.parse(report.stdout).iterations).toEqual([expect.objectContaining({ status: 'succeeded' })]);
  });

  it('one lock per repository: a run in another work tree, or with another runtime dir, exits 3 naming the holder', {
    timeout: 60_000,
  }, async () => {
    const r = await stalling();
    const other = path.join(path.dirname(r.repo), `${path.basename(r.repo)}-other`);
    gitSync(r.repo, 'worktree', 'add', '-q', '-b', 'other', other);
    const first = r.spawnCli('once');
    await until(() => existsSync(path.join(r.repo, 'notes.txt')), 20_000, 'the developer to write notes.txt');
    const lockFile = (await homeOf(r.repo)).lockFile;
    expect((await homeOf(other)).lockFile).toBe(lockFile);

    const elsewhere = await r.run('once', {}, other);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain(`holds ${lockFile}: run `);
    expect(elsewhere.stderr).toContain(`pid ${first.proc.pid}`);
    const otherRuntime = await r.run('once', { PI_RUNTIME_DIR: '.harness-b' });
    expect(otherRuntime.code).toBe(3);
    expect(existsSync(path.join(other, 'notes.txt'))).toBe(false);
    first.proc.kill('SIGINT');
    expect(await first.exited).toBe(130);
  });

  it('a lock that fails the schema while its process lives is held (exit 3); a newer one refuses the run (exit 2)', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({ tasks: '- [ ] Something\n', plans: {} });
    const home = await homeOf(r.repo);
    mkdirSync(path.dirname(home.lockFile), { recursive: true });
    const odd = JSON.stringify({ version: 1, runId: 'odd', pid: process.pid, future: true });
    writeFileSync(home.lockFile, odd);
    const held = await r.run('once', { PI_TRANSPORT: 'mock' });
    expect(held.code).toBe(3);
    expect(held.stderr).toContain(`run odd, pid ${process.pid}`);
    expect(readFileSync(home.lockFile, 'utf8')).toBe(odd);

    const newer = JSON.stringify({ version: 2, runId: 'future', pid: process.pid, lease: 'x' });
    writeFileSync(home.lockFile, newer);
    const refused = await r.run('once', { PI_TRANSPORT: 'mock' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${home.lockFile} was written by a newer pi-harness (format version 2`);
    expect(readFileSync(home.lockFile, 'utf8')).toBe(newer);
    expect(await journalsOf(r.repo)).toEqual([]);
    expect(existsSync(path.join(r.repo, '.pi-harness'))).toBe(false);
  });

  it('a state file of a newer version refuses the run (exit 2) and is left as it is, wherever it lies', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({ tasks: '- [ ] Something\n', plans: {} });
    const home = await homeOf(r.repo);
    const newer = JSON.stringify({ version: 2, tasks: {}, shards: [] });
    // Where an earlier version kept it (the projection's path), then where it lives now.
    for (const file of [path.join(r.repo, '.pi-harness', 'state.json'), home.stateFile]) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, newer);
      const result = await r.run('once', { PI_TRANSPORT: 'mock' });
      expect(result.code, file).toBe(2);
      expect(result.stderr).toContain(`${file} was written by a newer pi-harness (format version 2`);
      expect(readFileSync(file, 'utf8')).toBe(newer);
      expect(await journalsOf(r.repo)).toEqual([]);
      expect(existsSync(home.lockFile)).toBe(false);
    }
  });

  it('a corrupt state file is moved aside and the iteration it had in progress is recovered from the journal', {
    timeout: 60_000,
  }, async () => {
    const r = await stalling();
    const first = r.spawnCli('once');
    await until(() => existsSync(path.join(r.repo, 'notes.txt')), 20_000, 'the developer to write notes.txt');
    first.proc.kill('SIGKILL');
    await first.exited;
    await until(() => processesMatching(r.repo).length === 0, 8_000, 'pi to exit after the harness died');
    const { stateFile } = await homeOf(r.repo);
    writeFileSync(stateFile, '{"version": 1, "tasks": {"x": ');

    const next = await r.run('once');
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/the state file could not be read .*moved to .*state\.json\.corrupt-/);
    expect(next.stdout).toMatch(/recovering: iteration 1 .*did not finish/);
    const rescue = gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim();
    expect(r.show(rescue, 'notes.txt')).toBe('work in progress\n');
    expect(r.show('HEAD', 'notes.txt')).toBe('finished notes\n');
    const recovery = (await journalsOf(r.repo)).flatMap(events).find((event) => event.type === 'crash_recovery');
    expect(recovery).toMatchObject({ source: 'journal', recorded: 'crashed', iteration: 1 });
  });

  it('runtime files configured inside the repository are harness paths: excluded, never dirty, never committed', {
    timeout: 90_000,
  }, async () => {
    const r = await setup({
      tasks: '- [ ] First\n- [ ] Second\n',
      config: {
        logFile: 'harness.log',
        telemetryJsonl: 'logs/telemetry.jsonl',
        stateFile: 'state.json',
        activeRunFile: 'run.lock',
        failureArtifactDir: 'failures',
      },
      plans: {
        developer: [
          [write('one.txt', '1\n'), say('Done.')],
          [write('two.txt', '2\n'), say('Done.')],
        ],
        // Passes without committing: the harness commits the iteration's changes itself.
        tester: [[say('VERDICT: PASS')]],
      },
    });
    const first = await r.run('once');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const second = await r.run('once'); // the files of the first run are there now
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(r.log()).toEqual(['Second', 'First', 'initial']);
    expect(r.filesIn('HEAD~1')).toEqual(['TODOS.md', 'one.txt']);
    expect(r.filesIn('HEAD')).toEqual(['TODOS.md', 'two.txt']);
    for (const file of ['harness.log', 'logs/telemetry.jsonl', 'state.json'])
      expect(existsSync(path.join(r.repo, file)), file).toBe(true);
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    const exclude = readFileSync(path.join(r.repo, '.git', 'info', 'exclude'), 'utf8').split('\n');
    expect(exclude).toEqual(expect.arrayContaining(['/harness.log', '/logs/telemetry.jsonl', '/state.json']));
  });
});
