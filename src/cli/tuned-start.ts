/**
 * `pi-harness run` lives for hours, and glibc's malloc keeps what it once used: with its dynamic
 * thresholds a freed large block raises the mmap threshold to its size (up to 32 MiB) and the trim
 * threshold to twice that, after which freed memory stays in the heap, and every thread's arena
 * keeps its own high-water mark. Over a night of iterations the harness's native memory then climbs
 * by a few tens of MiB while its JavaScript heap stays flat.
 *
 * glibc reads its settings from the environment once, when the process starts. So `run` starts
 * itself again at once — `process.execve`: the same process (pid, stdio, process group) with a new
 * image, nothing else started — with the settings added, and the new image removes them from its
 * environment before anything else runs, so the commands the harness runs (git, the user's tests)
 * never inherit them; pi gets its own (`withPiMalloc`). The new image also gets
 * HARNESS_NODE_OPTIONS. A variable the user set is left as it is, and where the restart is not
 * possible (not Linux, a Node without `execve`) the run goes on as it was.
 */

/** The settings (see docs/benchmark.md, "The harness's native memory"). */
export const HARNESS_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
  MALLOC_ARENA_MAX: '2',
};

/**
 * Node's own option for the restarted image: one V8 worker thread instead of four. Each worker keeps
 * what its background work (compiling, collecting) once needed, in glibc's memory and its own; the
 * harness's heap is small and the machine's cores are pi's and the tests' anyway. Measured on the
 * bench's memory check (150 iterations), with the malloc settings: the harness +1.4 MiB from
 * iterations 10–29 to 130–149 with it, +5.5 MiB without.
 */
export const HARNESS_NODE_OPTIONS: readonly string[] = ['--v8-pool-size=1'];

/** Names the settings the restart added, for the new image to remove (and not to restart again). */
export const TUNED_START_ENV = 'PI_HARNESS_TUNED_START';

/** Commands that run long enough for the restart to pay. */
const LONG_COMMANDS: ReadonlySet<string> = new Set(['run']);

export interface StartFacts {
  /** process.argv: the Node binary, the CLI's entry, then the command line. */
  argv: readonly string[];
  execArgv: readonly string[];
  execPath: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  canExec: boolean;
}

export interface TunedStart {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** What to start the process again with, or undefined when it runs on as it is. */
export function tunedStartPlan(facts: StartFacts): TunedStart | undefined {
  if (facts.platform !== 'linux' || !facts.canExec) return undefined;
  if (!LONG_COMMANDS.has(facts.argv[2] ?? '') || facts.env[TUNED_START_ENV] !== undefined) return undefined;
  const added = Object.keys(HARNESS_MALLOC_ENV).filter((name) => facts.env[name] === undefined);
  if (added.length === 0) return undefined;
  const env: NodeJS.ProcessEnv = { ...facts.env, [TUNED_START_ENV]: added.join(',') };
  for (const name of added) env[name] = HARNESS_MALLOC_ENV[name];
  const own = HARNESS_NODE_OPTIONS.filter(
    (option) => !facts.execArgv.some((arg) => arg.startsWith(optionName(option))),
  );
  return { file: facts.execPath, args: [facts.execPath, ...own, ...facts.execArgv, ...facts.argv.slice(1)], env };
}

const optionName = (option: string) => option.split('=')[0]!;

/** In the restarted image: the variables the restart added leave the environment. */
export function dropTunedEnv(env: NodeJS.ProcessEnv): void {
  const added = env[TUNED_START_ENV];
  if (added === undefined) return;
  for (const name of added.split(',')) if (Object.hasOwn(HARNESS_MALLOC_ENV, name)) delete env[name];
  delete env[TUNED_START_ENV];
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** Restarts the process with the settings when it should (does not return then), else cleans up after one. */
export function startTuned(): void {
  const execve = (process as { execve?: Execve }).execve;
  const plan = tunedStartPlan({
    argv: process.argv,
    execArgv: process.execArgv,
    execPath: process.execPath,
    env: process.env,
    platform: process.platform,
    canExec: typeof execve === 'function',
  });
  if (!plan) {
    dropTunedEnv(process.env);
    return;
  }
  try {
    execve!.call(process, plan.file, plan.args, plan.env);
  } catch {
    // Refused (a sandbox, a limit): the run goes on with glibc's defaults.
  }
}
