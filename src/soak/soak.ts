/**
 * `npm run soak`: fault injection. Runs `pi-harness run` (the built CLI, real pi, real git)
 * against a scripted model and kills it with SIGKILL at random moments, over and over, restarting
 * it each time. After every kill it checks the invariants users rely on overnight:
 *
 *   - no orphan: no process of the killed run (pi, its tools) outlives it by more than a few seconds;
 *   - no commit lost: every commit a run reported stays an ancestor of HEAD;
 *   - no user file lost: the user's committed and ignored files keep their exact bytes;
 *   - the next run starts (the stale lock is recovered), and at the end the lock is free and the
 *     tree is clean, every task done, every interrupted iteration's work in a rescue ref.
 *
 *   node dist/soak/soak.js [--kills N] [--seed S] [--max-delay-ms MS] [--keep]
 *
 * With `--hostile` the scripted agent attacks the repository as well (hostile.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { liveProcessesMentioning } from '../process/proc-scan.js';
import { startScriptedModel } from '../scripted-model/index.js';
import { runHostileSoak } from './hostile.js';
import { random } from './random.js';
import { createSoakRepo, gitOut, IGNORED_USER_FILE, USER_FILE, type SoakRepo } from './repo.js';
import { soakScript } from './script.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

interface RunOutcome {
  code: number | null;
  killed: boolean;
  output: string;
}

function runHarness(repo: SoakRepo, killAfterMs: number | undefined): Promise<RunOutcome> {
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
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = true;
            child.kill('SIGKILL');
          }, killAfterMs);
    // A run that never ends is a finding too; the soak must end by itself.
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      clearTimeout(guard);
      resolve({ code, killed, output });
    });
  });
}

function reportedCommits(output: string): string[] {
  return [...output.matchAll(/^ {2}commit ([0-9a-f]{10}) /gm)].map((match) => match[1]!);
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
  for (const commit of commits) {
    try {
      gitOut(repo.dir, ['merge-base', '--is-ancestor', commit, 'HEAD']);
    } catch {
      violations.push(`${label}: reported commit ${commit} is no longer an ancestor of HEAD`);
    }
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string', default: '20' },
      seed: { type: 'string', default: String(Date.now() % 100000) },
      'max-delay-ms': { type: 'string', default: '4000' },
      keep: { type: 'boolean', default: false },
    },
  });
  const kills = Number(values.kills);
  const seed = Number(values.seed);
  const maxDelay = Number(values['max-delay-ms']);
  const rand = random(seed);
  const server = await startScriptedModel({ script: soakScript() });
  // About one task per kill, so the run is still busy when the last kill lands.
  const repo = await createSoakRepo(server, Math.max(4, kills));
  const violations: string[] = [];
  const commits = new Set<string>();
  let survived = 0;
  let recoveries = 0;
  process.stderr.write(`soak: seed ${seed}, ${kills} kills, repo ${repo.dir}\n`);
  try {
    for (let i = 1; i <= kills; i++) {
      const delay = Math.round(200 + rand() * maxDelay);
      const outcome = await runHarness(repo, delay);
      for (const commit of reportedCommits(outcome.output)) commits.add(commit);
      if (/recovering: iteration/.test(outcome.output)) recoveries += 1;
      if (!outcome.killed) {
        process.stderr.write(`soak: kill ${i}: the run ended by itself before ${delay} ms (exit ${outcome.code})\n`);
        if (outcome.code !== 0 && outcome.code !== 1)
          violations.push(`kill ${i}: unexpected exit ${outcome.code}:\n${outcome.output}`);
        if (!/\d+\/\d+ iterations succeeded/.test(outcome.output) && !/nothing to do/.test(outcome.output))
          violations.push(`kill ${i}: run did not complete:\n${outcome.output}`);
        if (/nothing to do/.test(outcome.output)) break;
        continue;
      }
      await checkAfterKill(repo, violations, `kill ${i} at ${delay} ms`);
      checkFiles(repo, commits, violations, `kill ${i}`);
      survived += 1;
      process.stderr.write(`soak: kill ${i} at ${delay} ms survived\n`);
    }
    const final = await runHarness(repo, undefined);
    if (/recovering: iteration/.test(final.output)) recoveries += 1;
    for (const commit of reportedCommits(final.output)) commits.add(commit);
    if (final.code !== 0) violations.push(`final run exit ${final.code}:\n${final.output}`);
    checkFiles(repo, commits, violations, 'final');
    if (existsSync(`${repo.dir}/.pi-harness/active-run.json`)) violations.push('final: the lock file is still there');
    const status = gitOut(repo.dir, ['status', '--porcelain']).trim();
    if (status) violations.push(`final: tree not clean:\n${status}`);
    if (/- \[ \]/.test(readFileSync(`${repo.dir}/TODOS.md`, 'utf8'))) violations.push('final: not every task is done');
    const rescues = gitOut(repo.dir, ['for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue'])
      .trim()
      .split('\n')
      .filter(Boolean).length;
    process.stdout.write(
      `soak (seed ${seed}): ${survived} SIGKILLs survived (${kills} planned), ` +
        `${recoveries} crashed iterations recovered, ${rescues} rescue refs, ${commits.size} commits kept, ` +
        `${violations.length} invariant violations\n`,
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
