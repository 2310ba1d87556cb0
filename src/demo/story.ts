/**
 * What the demo tells the newcomer before and after the loop's own progress lines: what is real,
 * what to watch for, and afterwards what came out of it and where to look.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../vocabulary/exit-codes.js';
import type { Config } from '../config/load.js';
import { harnessHome, listRunJournals } from '../runtime/harness-home.js';
import { loadTaskFile } from '../tasks/index.js';
import { findExecutable } from '../doctor/executable.js';
import { git } from '../workspace/git.js';
import { safetyNetLines } from './highlights.js';
import { DEMO_MODEL, TEST_COMMAND, TASK_FILE, type DemoTask } from './project.js';

const RULE = '─'.repeat(72);

export function introText(input: { dir: string; baseUrl: string; tasks: readonly DemoTask[] }): string {
  const phases = new Set(input.tasks.map((task) => task.phase)).size;
  return [
    'pi-harness demo — the whole loop, offline, in a throwaway repository',
    '',
    'A scripted model plays the agent; everything else — pi, git, the tests, the harness — is real.',
    '',
    `  repo    ${input.dir}`,
    '          "textkit", a tiny Node project with no dependencies',
    `  tasks   ${input.tasks.length} in ${TASK_FILE}, in ${phases} phases. Two first drafts have a bug, to show the safety nets:`,
    "          one is caught by the tests (→ developerFix), one by the tester's review (→ fix → recheck)",
    `  model   ${DEMO_MODEL}, answering in-process at ${input.baseUrl}`,
    `  loop    developer turn → \`${TEST_COMMAND}\` → tester turn with a verdict → commit with the task ticked`,
    '',
    RULE,
    '',
  ].join('\n');
}

/** The newest run's journal, relative to the repo. */
async function latestJournal(config: Config): Promise<string | undefined> {
  const latest = listRunJournals(await harnessHome(config))[0];
  return latest ? path.relative(config.repoRoot, latest.journal) : undefined;
}

async function ticked(config: Config): Promise<{ done: number; total: number }> {
  const { file } = await loadTaskFile(config.taskFile);
  return { done: file.tasks.filter((task) => task.done).length, total: file.tasks.length };
}

/** Aligned "command   what it shows" lines. */
function hints(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([command]) => command.length)) + 3;
  return rows.map(([command, what]) => `  ${command.padEnd(width)}${what}`);
}

/**
 * How the newcomer runs pi-harness from their own shell: `pi-harness` when it is on their PATH
 * (a global install), else this very CLI through node — after `npm run demo` in a clone, or
 * `npx pi-harness demo`, there is no `pi-harness` command to type.
 */
export async function lookAroundCommand(env: NodeJS.ProcessEnv): Promise<string> {
  // npm and npx put node_modules/.bin on the PATH only while they run; the user's shell lacks it.
  const shellPath = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '' && !/node_modules[\\/]\.bin[\\/]?$/.test(dir))
    .join(path.delimiter);
  if (await findExecutable('pi-harness', { env: { ...env, PATH: shellPath }, cwd: process.cwd() })) return 'pi-harness';
  return `node ${fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))}`;
}

function lookAround(dir: string, runtime: string, journal: string | undefined, harness: string): string[] {
  const rows: [string, string][] = [
    ['git log -p', `each task's commit: the code, its tests and the tick in ${TASK_FILE}`],
    [TEST_COMMAND, 'the tests the agent wrote, run for real'],
    [`${harness} report`, 'the run summarised: iterations, verdicts, time and tokens per role'],
    [`ls ${runtime}`, 'the last prompt, agent output, tester feedback, state and run journals'],
  ];
  const lines = [
    `The demo repository is kept at ${dir}`,
    '(nothing outside it was touched; delete it when you are done). To look around:',
    '',
    `  cd ${dir}`,
    ...hints(rows),
  ];
  if (journal)
    lines.push(
      '',
      'Every turn, tool call, verification, verdict and commit of the run, as JSON lines:',
      `  ${journal}`,
    );
  return lines;
}

function headline(exitCode: number, tasks: { done: number; total: number }, commits: number): string {
  const ticks = `${tasks.done}/${tasks.total} tasks ticked`;
  if (exitCode === 0) return `Done: ${ticks}, ${commits} commits on top of the starting one.`;
  if (exitCode === EXIT.interrupted)
    return `Stopped: ${ticks}; the interrupted iteration's work was kept aside (see its notes above).`;
  return `The demo did not finish as expected (exit ${exitCode}): ${ticks}. Please report this, with the journal below.`;
}

export async function outroText(input: {
  dir: string;
  config: Config;
  exitCode: number;
  cleaned: boolean;
  env: NodeJS.ProcessEnv;
}): Promise<string> {
  const { dir, config, exitCode } = input;
  const log = (await git(dir, ['log', '--oneline', '--no-decorate'])).trimEnd().split('\n');
  const tasks = await ticked(config);
  const journal = await latestJournal(config);
  const lines = ['', RULE, ''];
  lines.push(
    headline(exitCode, tasks, log.length - 1),
    '',
    '  $ git log --oneline',
    ...log.map((line) => `  ${line}`),
    '',
  );
  if (journal) lines.push(...(await safetyNetLines(path.join(dir, journal))));
  if (input.cleaned) lines.push(`The demo repository ${dir} has been removed (--clean).`);
  else
    lines.push(
      ...lookAround(dir, path.relative(dir, config.piRuntimeDir), journal, await lookAroundCommand(input.env)),
    );
  lines.push(
    '',
    'Next, in your own repository: `pi-harness init`, point pi.config.json at your model,',
    'check it with `pi-harness doctor`, then `pi-harness run`.',
    '',
  );
  return lines.join('\n');
}
