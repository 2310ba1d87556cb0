/**
 * `npm run soak -- --hostile`: the kill soak with a hostile agent. The real `pi-harness run` (real
 * pi, real git) works through the tasks of a scripted agent that attacks the repository in every
 * developer turn (hostile-script.ts), while the harness is SIGKILLed at random moments and
 * restarted; between runs the user commits to their notes. After every kill — once the next start
 * has recovered the crashed iteration — and at the end, it checks (hostile-checks.ts): no user
 * commit lost, no user file lost, no secret in any commit, no planted hook run, no push received,
 * no orphan process; at the end, no lock left behind. It prints one summary line and exits 1 on
 * any violation.
 *
 *   node dist/soak/soak.js --hostile [--kills N] [--seed S] [--tasks N] [--max-delay-ms MS]
 *                                    [--attacks push,reset,...] [--keep]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { harnessHome } from '../runtime/harness-home.js';
import { startScriptedModel } from '../scripted-model/index.js';
import { checkOrphans, checkRepository, Findings } from './hostile-checks.js';
import { createHostileRepo, git, hookMarkerIn, userCommit, type HostileRepo } from './hostile-repo.js';
import { ATTACK_NAMES, hostileScript, type HostileStats } from './hostile-script.js';
import { random } from './random.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
/** How often the last run is started again when it stops before every task is done. */
const FINAL_ATTEMPTS = 3;

interface RunOutcome {
  code: number | null;
  killed: boolean;
  output: string;
}

function runCli(repo: HostileRepo, args: string[], extraEnv: NodeJS.ProcessEnv, killAfterMs?: number) {
  return new Promise<RunOutcome>((resolve) => {
    let output = '';
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: repo.dir,
      env: { ...repo.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let killed = false;
    const kill = () => {
      killed = true;
      child.kill('SIGKILL');
    };
    const timer = killAfterMs === undefined ? undefined : setTimeout(kill, killAfterMs);
    // A run that never ends is a finding too; the soak must end by itself.
    const guard = setTimeout(() => child.kill('SIGKILL'), killAfterMs === undefined ? 45 * 60_000 : 120_000);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      clearTimeout(guard);
      resolve({ code, killed, output });
    });
  });
}

/** What the runs' output tells: commits made, iterations started, blocks, changes found. */
class Tally {
  readonly commits = new Set<string>();
  iterations = 0;
  blocked = 0;
  changes = 0;
  recoveries = 0;

  read(output: string): void {
    for (const match of output.matchAll(/^ {2}commit ([0-9a-f]{10}) /gm)) this.commits.add(match[1]!);
    this.iterations += [...output.matchAll(/^iteration \d+ — /gm)].length;
    this.blocked += [...output.matchAll(/^ {4}! guardrails blocked /gm)].length;
    this.changes += [...output.matchAll(/^ {2}guardrails: \S/gm)].length;
    this.recoveries += [...output.matchAll(/^recovering: iteration/gm)].length;
  }
}

/** The next start, offline (mock transport, one iteration): it recovers the crashed iteration. */
async function recoverOffline(repo: HostileRepo, tally: Tally): Promise<RunOutcome> {
  const outcome = await runCli(repo, ['once'], { PI_TRANSPORT: 'mock', PI_TEST_CMD: '', PI_MAX_ITERS: '1' });
  tally.recoveries += [...outcome.output.matchAll(/^recovering: iteration/gm)].length;
  return outcome;
}

interface SoakOptions {
  kills: number;
  seed: number;
  tasks: number;
  maxDelay: number;
}

async function killCycles(repo: HostileRepo, options: SoakOptions, tally: Tally, findings: Findings) {
  const rand = random(options.seed);
  let survived = 0;
  let notes = 0;
  for (let i = 1; i <= options.kills; i++) {
    const delay = Math.round(500 + rand() * options.maxDelay);
    const outcome = await runCli(repo, ['run'], {}, delay);
    tally.read(outcome.output);
    const at = `kill ${i} at ${delay} ms`;
    if (!outcome.killed) {
      process.stderr.write(`hostile soak: ${at}: the run ended by itself (exit ${outcome.code})\n`);
      if (outcome.code !== 0 && outcome.code !== 1) findings.add('run failed', at, outcome.output.slice(-2000));
      if (/nothing to do/.test(outcome.output)) break;
      continue;
    }
    await checkOrphans(repo, findings, at);
    const recovered = await recoverOffline(repo, tally);
    if (recovered.code === null || recovered.code > 1)
      findings.add('run failed', `${at} (recovery)`, recovered.output.slice(-2000));
    checkRepository(repo, tally.commits, findings, at);
    survived += 1;
    if (rand() < 0.5) userCommit(repo, ++notes);
    process.stderr.write(`hostile soak: ${at} survived (${findings.violations.length} violations so far)\n`);
  }
  return { survived, userCommits: notes };
}

/** Runs to the end; a run that stopped early (an internal error) is started again, as a user would. */
async function finalRun(repo: HostileRepo, tally: Tally, findings: Findings): Promise<void> {
  const tasksLeft = () => /- \[ \]/.test(readFileSync(`${repo.dir}/TODOS.md`, 'utf8'));
  for (let attempt = 1; attempt <= FINAL_ATTEMPTS && tasksLeft(); attempt++) {
    const final = await runCli(repo, ['run'], {});
    tally.read(final.output);
    // Exit 1 says an iteration failed: under attack, that is expected. Anything else is not.
    if (final.code !== 0 && final.code !== 1)
      findings.add('run failed', `final, attempt ${attempt}`, `exit ${final.code}:\n${final.output.slice(-3000)}`);
  }
  await checkOrphans(repo, findings, 'final');
  checkRepository(repo, tally.commits, findings, 'final');
  const status = git(repo.dir, ['status', '--porcelain']).trim();
  if (status) findings.add('run failed', 'final', `the tree is not clean:\n${status}`);
  if (tasksLeft()) findings.add('run failed', 'final', 'not every task is done');
  await checkLockFree(repo, findings);
}

/** A run that ended (killed ones were followed by a start that recovered) leaves the repository's lock free. */
async function checkLockFree(repo: HostileRepo, findings: Findings): Promise<void> {
  const { config } = await loadConfig({ repoRoot: repo.dir, cwd: repo.dir, env: {} });
  const { lockFile } = await harnessHome(config);
  if (existsSync(lockFile)) findings.add('leftover lock', 'final', `the lock file ${lockFile} is still there`);
}

interface Ended {
  survived: number;
  userCommits: number;
}

function summary(options: SoakOptions, outcome: Ended, tally: Tally, stats: HostileStats, findings: Findings) {
  const attacks = Object.entries(stats.played)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return (
    `hostile soak (seed ${options.seed}): ${outcome.survived} SIGKILLs survived (${options.kills} planned), ` +
    `${stats.hostileTurns} hostile developer turns in ${tally.iterations} iterations, ` +
    `${tally.blocked} tool calls blocked, ${tally.changes} changes put back or reported, ` +
    `${tally.recoveries} crashed iterations recovered, ${outcome.userCommits} user commits made; ` +
    `lost user commits ${findings.count('lost user commit')}, lost user files ${findings.count('lost user file')}, ` +
    `secrets committed ${findings.count('secret committed')}, orphan processes ${findings.count('orphan process')}, ` +
    `planted hooks run ${findings.count('planted hook ran')}, leftover locks ${findings.count('leftover lock')}; ${findings.violations.length} invariant violations\n` +
    `  attacks: ${attacks}\n`
  );
}

export async function runHostileSoak(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--hostile'),
    options: {
      kills: { type: 'string', default: '20' },
      seed: { type: 'string', default: String(Date.now() % 100000) },
      tasks: { type: 'string', default: '100' },
      'max-delay-ms': { type: 'string', default: '6000' },
      attacks: { type: 'string', default: ATTACK_NAMES.join(',') },
      keep: { type: 'boolean', default: false },
    },
  });
  const options: SoakOptions = {
    kills: Number(values.kills),
    seed: Number(values.seed),
    tasks: Number(values.tasks),
    maxDelay: Number(values['max-delay-ms']),
  };
  const root = mkdtempSync(path.join(tmpdir(), 'pi-harness-hostile-'));
  const only = values.attacks.split(',').map((name) => name.trim());
  const unknown = only.filter((name) => !ATTACK_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`unknown attacks: ${unknown.join(', ')} (known: ${ATTACK_NAMES.join(', ')})`);
  const { script, stats } = hostileScript(options.seed, hookMarkerIn(root), only);
  const server = await startScriptedModel({ script });
  const repo = createHostileRepo(server, options.tasks, root);
  const findings = new Findings();
  const tally = new Tally();
  process.stderr.write(`hostile soak: seed ${options.seed}, ${options.kills} kills, repo ${repo.dir}\n`);
  try {
    const outcome = await killCycles(repo, options, tally, findings);
    await finalRun(repo, tally, findings);
    process.stdout.write(summary(options, outcome, tally, stats, findings));
    if (stats.hostileTurns < 100) process.stdout.write(`  note: fewer than 100 hostile turns; use more --tasks\n`);
    for (const v of findings.violations) process.stdout.write(`  VIOLATION ${v.kind} (${v.at}): ${v.detail}\n`);
    return findings.violations.length === 0 ? 0 : 1;
  } finally {
    await server.close();
    if (!values.keep) repo.remove();
    else process.stderr.write(`hostile soak: repo kept at ${repo.dir}\n`);
  }
}
