/**
 * The CLI frame: commands, common options, exit codes. Each command's behaviour lives in its own
 * module; this file only wires arguments to them. A command's module is loaded when it runs, so
 * `status` and the control commands start without loading the loop, pi's client or the demo.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';
import { VERSION } from '../version.js';
import { ConfigError } from '../config/errors.js';
import type { Config, LoadedConfig } from '../config/load.js';
import { NewerVersionError } from '../runtime/newer-version.js';
import { findRepoRoot } from '../workspace/repo-root.js';
import type { DemoOptions } from './commands/demo.js';
import type { ReportCommandOptions } from './commands/report.js';
import type { ControlAction } from '../vocabulary/control.js';

/** Every command with its one-line help, in the order `--help` lists them. */
const COMMANDS = [
  { name: 'once', summary: 'run one iteration on the first unchecked task' },
  { name: 'run', summary: 'run iterations until every task is done, a limit, a breaker or a stop signal' },
  { name: 'report', summary: 'summarise recent runs and iterations (--json for machines)' },
  { name: 'clear-history', summary: 'remove harness-generated state and artifacts, never project source' },
  { name: 'visual-once', summary: 'one manual screenshot capture and visual review' },
  { name: 'visual-review-worker', summary: 'read one visual review request (JSON) on stdin, write the verdict JSON' },
  { name: 'init', summary: 'scaffold a repo: config, task file, role files, ignore entries' },
  { name: 'doctor', summary: 'run the preflight checks alone, with a verdict per check' },
  { name: 'demo', summary: 'run the whole loop offline in a temporary repo on a built-in scripted model' },
  { name: 'visualize', summary: 'serve the dashboard over the run history (live when a run is active)' },
  { name: 'status', summary: 'where the active run (or the last one) stands, from its journal (--json for machines)' },
  { name: 'pause', summary: 'the active run finishes its current iteration, then waits (lock held)' },
  { name: 'resume', summary: 'a paused run goes on' },
  { name: 'stop', summary: 'the active run stops as on SIGTERM: turn aborted, work kept, lock released' },
  { name: 'skip', summary: 'park the current task (or TASK), aborting its iteration; its work is kept' },
  { name: 'retry', summary: 'give a parked TASK back to the run' },
  { name: 'steer', summary: 'guidance for the agent turn in flight (else the next developer prompt)' },
  { name: 'config', summary: 'print the effective configuration and where it came from (--json for machines)' },
] as const;

type CommandName = (typeof COMMANDS)[number]['name'];

interface CommonOptions {
  config?: string;
  json?: boolean;
}

async function loadFor(io: CliIo, options: CommonOptions): Promise<LoadedConfig> {
  const repoRoot = await findRepoRoot(io.cwd);
  // Loaded on use: the validator is the heaviest module `status` would otherwise pay for.
  const { loadConfig } = await import('../config/load.js');
  const loaded = await loadConfig({ repoRoot, cwd: io.cwd, configFile: options.config, env: io.env });
  for (const warning of loaded.warnings) io.stderr(`warning: ${warning}\n`);
  return loaded;
}

/** `--parallel N` over the configuration's `parallel`: a whole number from 1 to 16, else a usage error. */
function withParallel(config: Config, value: string | undefined): Config {
  if (value === undefined) return config;
  const parallel = Number(value);
  if (!/^\d+$/.test(value.trim()) || parallel < 1 || parallel > 16)
    throw new ConfigError([
      { source: '--parallel', field: 'parallel', expected: `a whole number from 1 to 16 (got ${value})` },
    ]);
  return Object.freeze({ ...config, parallel });
}

/** Options and action of each built command; a command missing here says "not built yet". */
type Wiring = (
  command: Command,
  context: { io: CliIo; setExit: (code: ExitCode) => void; global: () => CommonOptions },
) => void;

/** `run --parallel N`; `once` is always one iteration in the work tree. */
function withParallelOption(command: Command, mode: 'once' | 'run'): Command {
  if (mode === 'once') return command;
  return command.option(
    '--parallel <n>',
    'tasks of one phase worked on at once, each in its own git worktree (config parallel)',
  );
}

/** `once` / `run`, with the dashboard on or off. */
function loopWiring(mode: 'once' | 'run'): Wiring {
  return (command, { io, setExit, global }) =>
    withParallelOption(command, mode)
      .option('--dashboard', 'serve the live dashboard during the run (default: on for run, off for once)')
      .option('--no-dashboard', 'do not serve the dashboard')
      .action(async (options: { dashboard?: boolean; parallel?: string }) => {
        const config = withParallel((await loadFor(io, global())).config, options.parallel);
        const { dashboardForRun } = await import('./commands/dashboard.js');
        const dashboard = await dashboardForRun(mode, config, io, options);
        try {
          setExit(await (await import('./commands/loop.js')).loopCommand(mode, config, io, dashboard));
        } finally {
          await dashboard?.close();
        }
      });
}

const WAIT_HELP = 'seconds to wait for the run to acknowledge (default 10)';

/** A control command: its argument (if any) becomes the request's task or text. */
function controlWiring(action: ControlAction, argument?: { name: string; as: 'task' | 'text' }): Wiring {
  return (command, { io, setExit, global }) => {
    if (argument) command.argument(argument.name);
    command.option('--wait <seconds>', WAIT_HELP).action(async (...args: unknown[]) => {
      const value = argument ? (args[0] as string | undefined) : undefined;
      const options = (argument ? args[1] : args[0]) as { wait?: string };
      const { config } = await loadFor(io, global());
      setExit(
        await (await import('./commands/control.js')).controlCommand(config, io, {
          action,
          ...(value !== undefined && argument ? { [argument.as]: value } : {}),
          ...(options.wait !== undefined ? { wait: options.wait } : {}),
        }),
      );
    });
  };
}

const WIRING: Partial<Record<CommandName, Wiring>> = {
  status: (command, { io, setExit, global }) =>
    command.option('--json', 'print the status as one JSON document').action(async (options: CommonOptions) => {
      const { config } = global();
      setExit(
        await (await import('./commands/status.js')).statusCommand(io, {
          json: options.json === true,
          ...(config ? { configFile: config } : {}),
          loadConfig: async () => (await loadFor(io, global())).config,
        }),
      );
    }),
  pause: controlWiring('pause'),
  resume: controlWiring('resume'),
  stop: controlWiring('stop'),
  skip: controlWiring('skip', { name: '[task]', as: 'task' }),
  retry: controlWiring('retry', { name: '<task>', as: 'task' }),
  steer: controlWiring('steer', { name: '<text>', as: 'text' }),
  once: loopWiring('once'),
  run: loopWiring('run'),
  visualize: (command, { io, setExit, global }) =>
    command
      .option('--host <host>', 'address to listen on (default dashboardHost, 127.0.0.1)')
      .option('--port <port>', 'port (default dashboardPort, 4317; the next free one if taken; 0: any)')
      .action(async (options: { host?: string; port?: string }) =>
        setExit(
          await (await import('./commands/visualize.js')).visualizeCommand(
            (await loadFor(io, global())).config,
            io,
            options,
          ),
        ),
      ),
  report: (command, { io, setExit, global }) =>
    command
      .option('--json', 'print the report as one JSON document')
      .option('--runs <n>', 'runs to list, newest first (default 10)')
      .option('--iterations <n>', 'iterations to list, newest first (default 20)')
      .action(async (options: ReportCommandOptions) =>
        setExit(
          await (await import('./commands/report.js')).runReport((await loadFor(io, global())).config, io, options),
        ),
      ),
  'clear-history': (command, { io, setExit, global }) =>
    command
      .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
      .option('--refs', "also delete refs/pi-harness/* (rescue refs hold failed iterations' work; kept by default)")
      .action(async (options: { yes?: boolean; refs?: boolean }) =>
        setExit(
          await (await import('./commands/clear-history.js')).runClearHistory(
            (await loadFor(io, global())).config,
            io,
            {
              yes: options.yes === true,
              refs: options.refs === true,
            },
          ),
        ),
      ),
  'visual-once': (command, { io, setExit, global }) =>
    command
      .option('--json', 'print the review record as JSON')
      .action(async (options: CommonOptions) =>
        setExit(
          await (await import('./commands/visual-once.js')).visualOnceCommand(
            (await loadFor(io, global())).config,
            io,
            options.json === true,
          ),
        ),
      ),
  'visual-review-worker': (command, { io, setExit, global }) =>
    command.action(async () =>
      setExit(
        await (await import('./commands/visual-review-worker.js')).visualReviewWorkerCommand(
          (await loadFor(io, global())).config,
          io,
        ),
      ),
    ),
  init: (command, { io, setExit, global }) =>
    command
      .option('--force', 'overwrite files init would otherwise keep')
      .option('--json', 'print what was done as one JSON document')
      .action(async (options: CommonOptions & { force?: boolean }) => {
        const { config } = global();
        setExit(
          await (await import('./commands/init.js')).runInit(io, {
            force: options.force === true,
            json: options.json === true,
            ...(config ? { configFile: config } : {}),
          }),
        );
      }),
  doctor: (command, { io, setExit, global }) =>
    command
      .option('--json', 'print the checks as one JSON document')
      .action(async (options: CommonOptions) =>
        setExit(
          await (await import('./commands/doctor.js')).runDoctor(
            (await loadFor(io, global())).config,
            io,
            options.json === true,
          ),
        ),
      ),
  demo: (command, { io, setExit }) =>
    command
      .option('--dir <dir>', 'build the demo repo in this empty or new directory (default: a new temporary one)')
      .option('--clean', 'remove the demo repo after a successful run (default: keep it to look around)')
      .option('--dashboard', 'watch the demo live in the dashboard; it keeps serving after the demo until Ctrl-C')
      .action(async (options: DemoOptions) =>
        setExit(await (await import('./commands/demo.js')).demoCommand(options, io)),
      ),
  config: (command, { io, setExit, global }) =>
    command.option('--json', 'print as JSON').action(async (options: CommonOptions) => {
      const { config } = await loadFor(io, { ...global(), ...options });
      setExit((await import('./commands/config.js')).printConfig(config, io, options.json === true));
    }),
};

function notBuilt(name: string, io: CliIo, setExit: (code: ExitCode) => void): Wiring {
  return (command) =>
    command.option('--json', 'machine-readable output where the output is data').action(() => {
      io.stderr(`pi-harness ${name}: not built yet in ${VERSION}; it arrives in a later release.\n`);
      setExit(EXIT.usage);
    });
}

function buildProgram(io: CliIo, setExit: (code: ExitCode) => void): Command {
  const program = new Command('pi-harness')
    .description("Runs the PI coding agent unattended over a repo's TODOS.md: develop, verify, review, fix, commit.")
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--config <file>', 'configuration file (same as PI_CONFIG_FILE; default ./pi.config.json if present)')
    .addHelpText(
      'after',
      '\nExit codes: 0 success or nothing to do, 1 an iteration failed/stalled/blocked, 2 usage or\n' +
        'configuration error, 3 another run holds the lock, 4 a preflight check failed, 130 stopped by a signal.\n',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError(true)
    .showHelpAfterError('(`pi-harness --help` lists the commands and options)');

  const context = { io, setExit, global: () => program.opts<CommonOptions>() };
  for (const { name, summary } of COMMANDS) {
    const wire = WIRING[name] ?? notBuilt(name, io, setExit);
    wire(program.command(name).description(summary), context);
  }
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. Never calls exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.ok;
  }
  // `help <name>` for a name that is no command: commander would print the general help alone.
  if (
    argv[0] === 'help' &&
    argv[1] !== undefined &&
    !argv[1].startsWith('-') &&
    !COMMANDS.some(({ name }) => name === argv[1])
  ) {
    io.stderr(`error: unknown command '${argv[1]}'; \`pi-harness --help\` lists the commands\n`);
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; every other parse error is usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // A file from a newer version is left as it is: like a configuration error, the user decides.
    if (error instanceof ConfigError || error instanceof NewerVersionError) {
      io.stderr(`pi-harness: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
