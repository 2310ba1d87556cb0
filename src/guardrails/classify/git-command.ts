/**
 * A git invocation read the way git reads it: global options (`-C`, `-c`, `--git-dir`, …) first,
 * then the subcommand and its arguments.
 */
import path from 'node:path';
import type { Arg } from './args.js';
import type { Invocation } from './invocations.js';

export interface GitCommand {
  /** The subcommand, or undefined when it cannot be known (`git $X`) or there is none. */
  sub: string | undefined;
  /** Whether a subcommand word exists at all. */
  hasSub: boolean;
  args: Arg[];
  /** Where git runs, after `-C`. */
  cwd: string | undefined;
  /** `-c key=value` and `--config-env=key=ENV` settings, keys lower-cased. */
  config: { key: string; value: string | undefined }[];
  invocation: Invocation;
}

/** Global options that take the next word as their value. */
const VALUED = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env']);

export function readGitCommand(invocation: Invocation): GitCommand {
  const argv = invocation.argv;
  const config: GitCommand['config'] = [];
  let cwd = invocation.cwd;
  let i = 1;
  for (; i < argv.length; i++) {
    const text = argv[i]!.text;
    if (text === undefined || !text.startsWith('-')) break;
    const value = VALUED.has(text) ? argv[++i]?.text : undefined;
    if (text === '-C') cwd = value === undefined || cwd === undefined ? undefined : path.resolve(cwd, value);
    else if (text === '-c' || text === '--config-env') config.push(configSetting(value));
    else if (text.startsWith('--config-env=')) config.push(configSetting(text.slice('--config-env='.length)));
  }
  const subArg = argv[i];
  return {
    sub: subArg?.text,
    hasSub: subArg !== undefined,
    args: argv.slice(i + 1),
    cwd,
    config,
    invocation,
  };
}

function configSetting(setting: string | undefined): { key: string; value: string | undefined } {
  if (setting === undefined) return { key: '', value: undefined };
  const eq = setting.indexOf('=');
  return eq < 0
    ? { key: setting.toLowerCase(), value: 'true' }
    : { key: setting.slice(0, eq).toLowerCase(), value: setting.slice(eq + 1) };
}

/** The option words of `args` (short clusters split: `-df` → `-d`, `-f`), up to `--`. */
export function optionSet(args: readonly Arg[]): Set<string> {
  const options = new Set<string>();
  for (const arg of args) {
    const text = arg.text;
    if (text === undefined || !text.startsWith('-') || text === '-') continue;
    if (text === '--') break;
    if (text.startsWith('--')) options.add(text.split('=')[0]!);
    else for (const letter of text.slice(1)) options.add(`-${letter}`);
  }
  return options;
}

/** Words that are not options, split at `--` when there is one. */
export function operands(
  args: readonly Arg[],
  valued: readonly string[] = [],
): { before: Arg[]; after: Arg[]; dashDash: boolean } {
  const before: Arg[] = [];
  const after: Arg[] = [];
  let dashDash = false;
  for (let i = 0; i < args.length; i++) {
    const text = args[i]!.text;
    if (dashDash) after.push(args[i]!);
    else if (text === '--') dashDash = true;
    else if (text?.startsWith('-') && text !== '-') {
      if (valued.includes(text)) i++;
    } else before.push(args[i]!);
  }
  return { before, after, dashDash };
}
