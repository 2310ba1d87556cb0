/**
 * The CLI frame: commands, common options, exit codes. Each command's behaviour lives in its own
 * module; this file only wires arguments to them.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';
import { VERSION } from '../version.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { findRepoRoot } from '../workspace/repo-root.js';
import { printConfig } from './commands/config.js';
import { loopCommand } from './commands/loop.js';

/** Every command of SPEC §2 with its one-line help. `built` flips as each issue lands. */
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
  { name: 'visualize', summary: 'serve the dashboard over existing run history without starting a run' },
] as const;

/** Commands wired to their implementation; the rest say "not built yet". */
const BUILT = new Set<string>(['once', 'run']);

interface CommonOptions {
  config?: string;
  json?: boolean;
}

async function loadFor(io: CliIo, options: CommonOptions): Promise<LoadedConfig> {
  const repoRoot = await findRepoRoot(io.cwd);
  const loaded = await loadConfig({ repoRoot, cwd: io.cwd, configFile: options.config, env: io.env });
  for (const warning of loaded.warnings) io.stderr(`warning: ${warning}\n`);
  return loaded;
}

function buildProgram(io: CliIo, setExit: (code: ExitCode) => void): Command {
  const program = new Command('pi-harness')
    .description('Runs the PI coding agent unattended over a repo\'s TODOS.md: develop, verify, review, fix, commit.')
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
    .showSuggestionAfterError(true);

  for (const mode of ['once', 'run'] as const) {
    const { summary } = COMMANDS.find((command) => command.name === mode)!;
    program
      .command(mode)
      .description(summary)
      .action(async () => {
        const { config } = await loadFor(io, program.opts<CommonOptions>());
        setExit(await loopCommand(mode, config, io));
      });
  }

  for (const { name, summary } of COMMANDS.filter((command) => !BUILT.has(command.name))) {
    program
      .command(name)
      .description(summary)
      .option('--json', 'machine-readable output where the output is data')
      .allowUnknownOption(false)
      .action(() => {
        io.stderr(`pi-harness ${name}: not built yet in ${VERSION}; it arrives in a later release.\n`);
        setExit(EXIT.usage);
      });
  }

  program
    .command('config')
    .description('print the effective configuration and where it came from (--json for machines)')
    .option('--json', 'print as JSON')
    .action(async (options: CommonOptions) => {
      const { config } = await loadFor(io, { ...program.opts<CommonOptions>(), ...options });
      setExit(printConfig(config, io, options.json === true));
    });

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
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; every other parse error is usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.stderr(`pi-harness: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
