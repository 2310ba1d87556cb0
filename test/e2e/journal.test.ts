/**
 * The journal as the one source of truth, end to end (real CLI, real pi, scripted model): after a
 * multi-task run and after the harness is killed mid-run, every projection equals what a rebuild
 * from the journals writes; no secret of the environment reaches any file or the terminal; old
 * run directories are pruned.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedAfterEach } from '../helpers/closing.js';
import { loadConfig } from '../../src/config/load.js';
import { rebuildProjections } from '../../src/journal/rebuild.js';
import { TELEMETRY_CSV_HEADER } from '../../src/journal/projections/telemetry-csv.js';
import { readJournalFile } from '../../src/journal/read.js';
import { homeOf, journalsOf as repoJournals } from '../helpers/harness-home.js';
import { processesMatching } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { bash, loopRepo, say, write, type LoopRepo } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);

/** Every regular file under `dir` (symlinks are not followed), relative path -> content. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string) => {
    if (!existsSync(current)) return;
    for (const name of readdirSync(current)) {
      const full = path.join(current, name);
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile()) out[path.relative(dir, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** The files the projections own (not the journal, state, lock, rescue patches or pi's files). */
const PROJECTION_FILE =
  /^(harness\.log|telemetry\.(jsonl|csv)|token-usage(\.jsonl|-summary\.json)|last-(prompt\.md|agent-output\.md|verification-output\.txt|iteration\.json)|tester-feedback\.md|tester-feedback\/.+|failures\/.+|runs\/[^/]+\/(run\.log|telemetry\.jsonl|summary\.json|last-iteration\.json))$/;

function projections(runtimeDir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(files(runtimeDir)).filter(([rel]) => PROJECTION_FILE.test(rel)));
}

const runtimeOf = (r: LoopRepo) => path.join(r.repo, '.pi-harness');
const journalsOf = (r: LoopRepo) => repoJournals(r.repo);

/** Rebuilds every journal of the repo, in run order, into an empty runtime directory. */
async function rebuildAll(r: LoopRepo): Promise<Record<string, string>> {
  const fresh = await tempDir('pi-harness-rebuild-');
  const { config } = await loadConfig({ repoRoot: r.repo, cwd: r.repo, env: { PI_RUNTIME_DIR: fresh } });
  for (const journal of await journalsOf(r)) rebuildProjections(journal, config);
  return projections(fresh);
}

describe('projections of the journal', () => {
  it('after a multi-task run, every projection equals a rebuild from the journal', { timeout: 120_000 }, async () => {
    const r = await setup({
      tasks: '# Tasks\n\n## Phase one\n\n- [ ] First\n- [ ] Second\n\n## Phase two\n\n- [ ] Third\n',
      config: {
        testCommand: 'if [ -f broken.txt ]; then echo "broken.txt is present"; exit 1; fi',
        maxTaskAttempts: 1,
        maxFailureArtifactLines: 5,
      },
      plans: {
        developer: [
          [write('broken.txt', 'x\n'), write('src/one.txt', 'draft\n'), say('First done.')],
          [write('src/two.txt', 'two\n'), say('Second done.')],
          [write('three.txt', 'three\n'), say('Third done.')],
        ],
        developerFix: [
          [bash('rm broken.txt'), say('Removed broken.txt.')],
          [write('src/one.txt', 'final\n'), say('Fixed one.txt.')],
        ],
        tester: [
          [say('one.txt says draft.\nVERDICT: FAIL')],
          [say('VERDICT: PASS')],
          [say('I cannot judge this.\nVERDICT: BLOCKED')],
        ],
        testerRecheck: [[say('Now final.\nVERDICT: PASS')]],
      },
    });
    const result = await r.run('run');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('2/3 iterations succeeded');

    const [journal] = await journalsOf(r);
    const { events, skipped } = readJournalFile(journal!);
    expect(skipped).toBe(0);
    const runId = events[0]!.runId;
    const live = projections(runtimeOf(r));

    // What the live files say, checked against the journal itself.
    expect(live['harness.log']!.trim().split('\n')).toHaveLength(events.length);
    expect(live[`runs/${runId}/run.log`]).toBe(live['harness.log']);
    const csv = live['telemetry.csv']!.trim().split('\n');
    expect(csv[0]).toBe(TELEMETRY_CSV_HEADER);
    expect(csv.slice(1).map((row) => row.split(',').slice(0, 2).join(','))).toEqual([
      `${runId},1`,
      `${runId},2`,
      `${runId},3`,
    ]);
    const telemetry = live['telemetry.jsonl']!.trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(telemetry.map((t) => [t.task_text, t.task_phase, t.status, t.verification, t.verdict])).toEqual([
      ['First', 'Phase one', 'succeeded', 'passed', 'PASS'],
      ['Second', 'Phase one', 'succeeded', 'passed', 'PASS'],
      ['Third', 'Phase two', 'blocked', 'passed', 'BLOCKED'],
    ]);
    expect(telemetry[0]).toMatchObject({ turns: 5, verification_runs: 3 });
    const turnEnds = events.filter((e) => e.type === 'turn_end');
    expect(live['token-usage.jsonl']!.trim().split('\n')).toHaveLength(turnEnds.length);
    const tokens = JSON.parse(live['token-usage-summary.json']!);
    expect(tokens.totals.input).toBe(
      turnEnds.reduce((sum, e) => sum + (e.type === 'turn_end' ? (e.usage?.input ?? 0) : 0), 0),
    );
    expect(Object.keys(tokens.byFile)).toEqual(
      expect.arrayContaining(['src/one.txt', 'src/two.txt', 'three.txt', 'broken.txt']),
    );
    expect(tokens.byDirectory.src.count).toBe(3);
    expect(
      Object.keys(live)
        .filter((rel) => rel.startsWith('tester-feedback/'))
        .sort(),
    ).toEqual(
      [`${runId}-1-1.md`, `${runId}-1-2.md`, `${runId}-2-1.md`, `${runId}-3-1.md`].map(
        (name) => `tester-feedback/${name}`,
      ),
    );
    expect(
      Object.keys(live)
        .filter((rel) => rel.startsWith('failures/'))
        .sort(),
    ).toEqual(
      [
        `${runId}-iteration-1-2.json`,
        `${runId}-iteration-1-2.md`,
        `${runId}-iteration-1.json`,
        `${runId}-iteration-1.md`,
        `${runId}-iteration-3.json`,
        `${runId}-iteration-3.md`,
      ].map((n) => `failures/${n}`),
    );
    expect(JSON.parse(live[`failures/${runId}-iteration-1.json`]!)).toMatchObject({
      kind: 'verification',
      exitCode: 1,
      outputTail: 'broken.txt is present',
      changedFiles: ['broken.txt', 'src/one.txt'],
    });
    expect(JSON.parse(live['last-iteration.json']!)).toMatchObject({
      runId,
      iteration: 3,
      status: 'blocked',
      verdict: 'BLOCKED',
      needsRescue: true,
    });
    expect(JSON.parse(live[`runs/${runId}/summary.json`]!)).toMatchObject({
      finished: true,
      exitCode: 1,
      counts: { iterations: 3, succeeded: 2, blocked: 1 },
    });
    expect(live['last-prompt.md']).toContain('Third');

    // The same files, rebuilt from nothing but the journal.
    expect(await rebuildAll(r)).toEqual(live);
    // And a rebuild in place finds nothing to add.
    const { config } = await loadConfig({ repoRoot: r.repo, cwd: r.repo, env: {} });
    rebuildProjections(journal!, config);
    expect(projections(runtimeOf(r))).toEqual(live);
  });

  it('after the harness is killed mid-run, the projections still equal the journal, and the next run brings its own in line', {
    timeout: 60_000,
  }, async () => {
    const r = await setup({
      tasks: '- [ ] Write the notes\n- [ ] Later\n',
      plans: {
        developer: [
          [write('notes.txt', 'work in progress\n'), { kind: 'stall', seconds: 60 }],
          [write('notes.txt', 'finished notes\n'), say('Wrote notes.txt.')],
        ],
        tester: [[say('VERDICT: PASS')]],
      },
    });
    const { proc, exited } = r.spawnCli('once');
    const deadline = Date.now() + 20_000;
    while (!existsSync(path.join(r.repo, 'notes.txt'))) {
      if (Date.now() > deadline) throw new Error('the developer never wrote notes.txt');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    proc.kill('SIGKILL');
    await exited;
    const killedDeadline = Date.now() + 8_000;
    while (processesMatching(r.repo).length > 0 && Date.now() < killedDeadline)
      await new Promise((resolve) => setTimeout(resolve, 100));

    const [killedJournal] = await journalsOf(r);
    const killedRun = readJournalFile(killedJournal!).events[0]!.runId;
    const afterKill = projections(runtimeOf(r));
    expect(JSON.parse(afterKill[`runs/${killedRun}/summary.json`]!)).toMatchObject({
      finished: false,
      current: { iteration: 1, step: 'developer turn' },
    });
    expect(afterKill['last-prompt.md']).toContain('Write the notes');
    expect(await rebuildAll(r)).toEqual(afterKill);

    const next = await r.run('once');
    expect(next.code).toBe(0);
    expect(await journalsOf(r)).toHaveLength(2);
    const live = projections(runtimeOf(r));
    expect(live[`runs/${killedRun}/summary.json`]).toBe(afterKill[`runs/${killedRun}/summary.json`]);
    expect(
      live['telemetry.jsonl']!.trim()
        .split('\n')
        .map((line) => JSON.parse(line).status),
    ).toEqual(['succeeded']);
    expect(await rebuildAll(r)).toEqual(live);
  });
});

describe('secrets', () => {
  it('a secret in the environment, echoed by tools and by a failing test command, reaches no file and no output', {
    timeout: 60_000,
  }, async () => {
    const secret = 'supersecretvalue123';
    const r = await setup({
      tasks: '- [ ] Use the service\n',
      config: { testCommand: 'echo "verification sees $MY_SERVICE_TOKEN"; test -f fixed.txt' },
      plans: {
        developer: [[bash('echo "the token is $MY_SERVICE_TOKEN"'), write('a.txt', 'a\n'), say('Done.')]],
        developerFix: [[write('fixed.txt', 'ok\n'), say('Fixed.')]],
        tester: [[bash('echo "tester sees $MY_SERVICE_TOKEN" >&2; exit 3'), say('Fine.\nVERDICT: PASS')]],
      },
    });
    const result = await r.run('once', { MY_SERVICE_TOKEN: secret });
    expect(result.code).toBe(0);
    // The secret really went through pi, the tools and the model...
    expect(JSON.stringify(r.server.completionRequests().map((q) => q.body))).toContain(secret);
    // ...and nothing the harness wrote or printed holds it.
    // Everything the harness wrote: the runtime dir, and its journal and pi's files out of the work tree's reach.
    const written = { ...files(runtimeOf(r)), ...files((await homeOf(r.repo)).dir) };
    const leaks = Object.entries(written)
      .filter(([, content]) => content.includes(secret))
      .map(([rel]) => rel);
    expect(leaks).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain(secret);
    // What it was replaced with, where it was: verification output, failure artifact, pi's sessions.
    expect(written['last-verification-output.txt']).toContain('verification sees [redacted:MY_SERVICE_TOKEN]');
    const runId = readJournalFile((await journalsOf(r))[0]!).events[0]!.runId;
    expect(written[`failures/${runId}-iteration-1.md`]).toContain('[redacted:MY_SERVICE_TOKEN]');
    const sessions = Object.entries(written).filter(([rel]) => rel.includes('pi-sessions/'));
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.some(([, content]) => content.includes('the token is [redacted:MY_SERVICE_TOKEN]'))).toBe(true);
  });
});

describe('retention', () => {
  it('keeps the newest keepRuns run directories', { timeout: 60_000 }, async () => {
    const r = await setup({ tasks: '- [ ] Something\n', plans: {} });
    for (let i = 0; i < 4; i++) expect((await r.run('once', { PI_TRANSPORT: 'mock', PI_KEEP_RUNS: '2' })).code).toBe(0);
    expect(readdirSync(path.join(runtimeOf(r), 'runs'))).toHaveLength(2);
    expect(await journalsOf(r)).toHaveLength(2);
    // The telemetry history outlives the pruned run directories.
    expect(
      readFileSync(path.join(runtimeOf(r), 'telemetry.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(4);
  });
});
