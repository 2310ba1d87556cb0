/**
 * `npm run soak`: fault injection. Runs `pi-harness run` (the built CLI, real pi, real git)
 * against a scripted model and kills it with SIGKILL at a random moment after it has started
 * (taken its lock), over and over, restarting it each time. After every kill it checks the invariants users rely on overnight:
 *
 *   - no orphan: no process of the killed run (pi, its tools) outlives it by more than a few seconds;
 *   - no commit lost: every commit a run journaled (read from the journals, not the terminal) stays
 *     an ancestor of HEAD;
 *   - no user file lost: the user's committed and ignored files keep their exact bytes;
 *   - the next run starts (the stale lock is recovered), and at the end the lock is free and the
 *     tree is clean, every task done, every interrupted iteration's work in a rescue ref.
 *
 *   node dist/soak/soak.js [--kills N] [--seed S] [--max-delay-ms MS] [--parallel N] [--tasks N]
 *                          [--keep]
 *
 * The kill lands up to `--max-delay-ms` after the run took its lock: 4000 by default, 15000 with
 * `--parallel` (its iterations end and merge later).
 *
 * With `--parallel N` the runs use N workers (`run --parallel`): kills land with several
 * iterations in flight and merges half done; a worker's commit counts as kept when the start
 * branch, a merge record or a rescue ref holds it, and no worktree may be left at the end.
 *
 * With `--hostile` the scripted agent attacks the repository as well (hostile.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { readJournalFile } from '../journal/read.js';
import { liveProcessesMentioning } from '../process/proc-scan.js';
import { harnessHome, listRunJournals, type HarnessHome } from '../runtime/harness-home.js';
import { startScriptedModel } from '../scripted-model/index.js';
import { runHostileSoak } from './hostile.js';
import { random } from './random.js';
import { describeSite, killSite, knownRuns, tallySites, type KillSite } from './kill-sites.js';
import { createSoakRepo, gitOut, IGNORED_USER_FILE, USER_FILE, type SoakRepo } from './repo.js';
import { soakScript } from './script.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

interface RunOutcome {
  code: number | null;
  killed: boolean;
  output: string;
}

/**
 * Calls `then` once the run holds the lock (it has started: its start-up time varies a lot with
 * the machine's load, and a kill during start-up tests little), or never if it exits first.
 */
function whenStarted(lockFile: string, child: ChildProcess, then: () => void): void {
  // The killed run before it left its lock behind: only this child's own lock counts.
  const holds = () => {
    try {
      return (JSON.parse(readFileSync(lockFile, 'utf8')) as { pid?: unknown }).pid === child.pid;
    } catch {
      return false;
    }
  };
  const poll = setInterval(() => {
    if (child.exitCode !== null || child.signalCode !== null) clearInterval(poll);
    else if (holds()) {
      clearInterval(poll);
      then();
    }
  }, 10);
}

/** Runs `pi-harness run`; with `killAfterMs`, SIGKILLs it that long after it has taken the lock. */
function runHarness(repo: SoakRepo, lockFile: string, killAfterMs: number | undefined): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, [CLI, 'run'], {
      cwd: repo.dir,
      env: repo.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    if (killAfterMs !== undefined)
      whenStarted(lockFile, child, () => {
        timer = setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, killAfterMs);
      });
    // A run that never ends is a finding too; the soak must end by itself. The final run works
    // through every task left, which on a loaded machine takes far longer than one killed run.
    const guard = setTimeout(() => child.kill('SIGKILL'), killAfterMs === undefined ? 45 * 60_000 : 120_000);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      clearTimeout(guard);
      resolve({ code, killed, output });
    });
  });
}

/**
 * Whether a reported commit is kept: an ancestor of HEAD, or (a parallel worker's commit, which the
 * merge queue squashed onto the branch) held by a merge record or a rescue ref.
 */
function isKept(dir: string, commit: string): boolean {
  try {
    gitOut(dir, ['merge-base', '--is-ancestor', commit, 'HEAD']);
    return true;
  } catch {
    return gitOut(dir, ['for-each-ref', `--contains=${commit}`, 'refs/heads/pi-harness/', 'refs/pi-harness/'])
      .trim()
      .split('\n')
      .some(Boolean);
  }
}

interface Journaled {
  /** Every commit a run journaled as made (`commit`, a parallel run's `merge`): each must stay kept (isKept). */
  commits: Set<string>;
  /** Crashed iterations the runs recovered (`crash_recovery` events), as `<run>#<iteration>`. */
  recoveries: Set<string>;
  /** Iterations the runs began (`iteration_start` events), as `<run>#<iteration>`. */
  iterations: Set<string>;
}

/**
 * Adds what the runs' journals say, read through the harness's own accessor and decoder. Called
 * after every run and kept across calls: retention may prune the oldest journals meanwhile.
 */
function readJournals(home: HarnessHome, into: Journaled): Journaled {
  for (const run of listRunJournals(home)) {
    for (const event of readJournalFile(run.journal).events) {
      if (event.type === 'commit' && event.commit) into.commits.add(event.commit);
      if (event.type === 'merge' && event.commit) into.commits.add(event.commit);
      if (event.type === 'crash_recovery') into.recoveries.add(`${event.crashedRunId}#${event.iteration}`);
      if (event.type === 'iteration_start') into.iterations.add(`${run.runId}#${event.iteration}`);
    }
  }
  return into;
}

async function checkAfterKill(repo: SoakRepo, violations: string[], label: string): Promise<void> {
  const deadline = Date.now() + 8000;
  let orphans = liveProcessesMentioning(repo.dir);
  while (orphans.length > 0 && Date.now() < deadline) {
    await sleep(100);
    orphans = liveProcessesMentioning(repo.dir);
  }
  if (orphans.length > 0) violations.push(`${label}: processes still alive 8s after the kill: ${orphans.join(', ')}`);
}

function checkFiles(repo: SoakRepo, commits: Set<string>, violations: string[], label: string): void {
  for (const [file, content] of [
    [USER_FILE, repo.userContent],
    [IGNORED_USER_FILE, repo.ignoredContent],
  ] as const) {
    const now = existsSync(`${repo.dir}/${file}`) ? readFileSync(`${repo.dir}/${file}`, 'utf8') : undefined;
    if (now !== content) violations.push(`${label}: user file ${file} changed or disappeared`);
  }
  for (const commit of commits)
    if (!isKept(repo.dir, commit)) violations.push(`${label}: LOST reported commit ${commit}: no ref holds it`);
}

interface KillLoop {
  repo: SoakRepo;
  home: HarnessHome;
  kills: number;
  maxDelay: number;
  rand: () => number;
  journaled: Journaled;
  violations: string[];
}

/** The kills: each run SIGKILLed at a random moment after taking its lock, checked, restarted. */
async function killRuns(loop: KillLoop): Promise<{ survived: number; sites: KillSite[] }> {
  const { repo, home, violations } = loop;
  const sites: KillSite[] = [];
  for (let i = 1; i <= loop.kills; i++) {
    const delay = Math.round(loop.rand() * loop.maxDelay);
    const before = knownRuns(home);
    const outcome = await runHarness(repo, home.lockFile, delay);
    readJournals(home, loop.journaled);
    if (!outcome.killed) {
      process.stderr.write(`soak: kill ${i}: the run ended by itself before ${delay} ms (exit ${outcome.code})\n`);
      if (outcome.code !== 0 && outcome.code !== 1)
        violations.push(`kill ${i}: unexpected exit ${outcome.code}:\n${outcome.output}`);
      if (!/\d+\/\d+ iterations succeeded/.test(outcome.output) && !/nothing to do/.test(outcome.output))
        violations.push(`kill ${i}: run did not complete:\n${outcome.output}`);
      if (/nothing to do/.test(outcome.output)) break;
      continue;
    }
    const site = killSite(home, before);
    sites.push(site);
    await checkAfterKill(repo, violations, `kill ${i} at ${delay} ms`);
    checkFiles(repo, loop.journaled.commits, violations, `kill ${i}`);
    process.stderr.write(`soak: kill ${i} at ${delay} ms survived (${describeSite(site)})\n`);
  }
  return { survived: sites.length, sites };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string', default: '20' },
      seed: { type: 'string', default: String(Date.now() % 100000) },
      'max-delay-ms': { type: 'string' },
      parallel: { type: 'string', default: '1' },
      tasks: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const kills = Number(values.kills);
  const seed = Number(values.seed);
  // About one task per kill and worker, so the run is still busy when the last kill lands; `--tasks`
  // for more, when the runs get fast enough to finish before the last kills.
  const parallel = Number(values.parallel);
  const taskCount = values.tasks === undefined ? Math.max(4, kills) * parallel : Number(values.tasks);
  if (!Number.isInteger(taskCount) || taskCount < 1) {
    process.stderr.write(`soak: --tasks must be a whole number above 0, not ${values.tasks}\n`);
    return 2;
  }
  const server = await startScriptedModel({ script: soakScript() });
  const repo = await createSoakRepo(server, taskCount, parallel);
  const { config } = await loadConfig({ repoRoot: repo.dir, cwd: repo.dir, env: {} });
  const home = await harnessHome(config);
  const violations: string[] = [];
  const journaled: Journaled = { commits: new Set(), recoveries: new Set(), iterations: new Set() };
  process.stderr.write(`soak: seed ${seed}, ${kills} kills, repo ${repo.dir}\n`);
  try {
    const { survived, sites } = await killRuns({
      repo,
      home,
      kills,
      // A parallel run's iterations end and merge some 10 s after start-up on a loaded machine: kills
      // only up to 4 s in would never land during a merge.
      maxDelay: Number(values['max-delay-ms'] ?? (parallel > 1 ? 15000 : 4000)),
      rand: random(seed),
      journaled,
      violations,
    });
    const final = await runHarness(repo, home.lockFile, undefined);
    if (final.code !== 0) violations.push(`final run exit ${final.code}:\n${final.output}`);
    const { commits, recoveries, iterations } = readJournals(home, journaled);
    checkFiles(repo, commits, violations, 'final');
    if (existsSync(home.lockFile)) violations.push(`final: the lock file ${home.lockFile} is still there`);
    const status = gitOut(repo.dir, ['status', '--porcelain']).trim();
    if (status) violations.push(`final: tree not clean:\n${status}`);
    if (/- \[ \]/.test(readFileSync(`${repo.dir}/TODOS.md`, 'utf8'))) violations.push('final: not every task is done');
    const rescues = gitOut(repo.dir, ['for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue'])
      .trim()
      .split('\n')
      .filter(Boolean).length;
    const worktrees = gitOut(repo.dir, ['worktree', 'list', '--porcelain']).match(/^worktree /gm)?.length ?? 0;
    if (worktrees !== 1) violations.push(`final: ${worktrees - 1} worktree(s) left behind`);
    const branches = gitOut(repo.dir, ['for-each-ref', '--format=%(refname)', 'refs/heads/pi-harness/']).trim();
    if (branches) violations.push(`final: worker branches left behind:\n${branches}`);
    const lost = violations.filter((violation) => violation.includes('LOST')).length;
    process.stdout.write(
      `soak (seed ${seed}, parallel ${parallel}): ${survived} SIGKILLs survived (${kills} planned), ` +
        `${iterations.size} iterations, ${recoveries.size} crashed iterations recovered, ${rescues} rescue refs, ` +
        `${commits.size} commits kept, ${lost} lost commits, ${violations.length} invariant violations\n` +
        `  ${tallySites(sites)}\n`,
    );
    for (const violation of violations) process.stdout.write(`  VIOLATION ${violation}\n`);
    return violations.length === 0 ? 0 : 1;
  } finally {
    await server.close();
    if (!values.keep) repo.remove();
    else process.stderr.write(`soak: repo kept at ${repo.dir}\n`);
  }
}

// `--hostile`: the agent itself attacks the repository too (hostile.ts).
process.exitCode = process.argv.includes('--hostile') ? await runHostileSoak(process.argv.slice(2)) : await main();
