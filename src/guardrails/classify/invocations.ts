/**
 * From a bash command line to the programs it runs ("invocations"), each with its arguments as far
 * as they can be known, the directory it runs in (`cd`, `pushd`, `env -C`, scoped to subshells),
 * its environment changes and its redirections. Wrappers (`env`, `command`, `sudo`, `xargs`,
 * `timeout`, `nice`, …) are looked through, and scripts handed to a shell (`sh -c`, `bash -lc`,
 * `eval`, `watch`, a here-document fed to `bash`) are parsed in turn.
 */
import path from 'node:path';
import type { Violation } from '../rules.js';
import { parseShell } from '../shell/parse.js';
import { type ShellCommand, ShellParseError } from '../shell/types.js';
import { type Arg, evalWord } from './args.js';
import type { GuardFacts } from './facts.js';
import { unwrapInvocation } from './wrappers.js';

export interface InvocationRedirect {
  op: string;
  fd?: number;
  target: Arg;
}

export interface Invocation {
  argv: Arg[];
  /** Absolute; undefined when a `cd` went somewhere the guard cannot know. */
  cwd: string | undefined;
  /** Variables set for this program (`NAME=value cmd`, `env NAME=value cmd`). */
  env: Map<string, string | undefined>;
  /** Variables removed for it (`env -u NAME`; `*` for `env -i`). */
  unset: string[];
  redirects: InvocationRedirect[];
  /** Reads the output of the command before it. */
  piped: boolean;
  /** A here-document or here-string fed to it, when its text is known. */
  stdinText?: string;
}

export interface Collected {
  invocations: Invocation[];
  violations: Violation[];
}

/** How deep scripts within scripts (`sh -c "bash -c '…'"`) are followed. */
export const MAX_SCRIPT_DEPTH = 6;

export function collectInvocations(script: string, cwd: string | undefined, facts: GuardFacts, depth = 0): Collected {
  const out: Collected = { invocations: [], violations: [] };
  if (depth > MAX_SCRIPT_DEPTH) {
    out.violations.push({ rule: 'opaque-command', reason: 'scripts nested too deeply to inspect', subject: script });
    return out;
  }
  let commands: ShellCommand[];
  try {
    commands = parseShell(script);
  } catch (error) {
    if (!(error instanceof ShellParseError)) throw error;
    const reason = `the guard cannot read this shell text (${error.message}); write the command more simply`;
    out.violations.push({ rule: 'unparsable-command', reason, subject: script });
    return out;
  }
  new Walker(facts, cwd, depth, out).walk(commands);
  return out;
}

const DECLARING = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);

class Walker {
  private readonly facts: GuardFacts;
  private readonly startCwd: string | undefined;
  private readonly depth: number;
  private readonly out: Collected;
  private readonly vars = new Map<string, string | undefined>();
  private readonly cwdByScope = new Map<string, string | undefined>();

  constructor(facts: GuardFacts, cwd: string | undefined, depth: number, out: Collected) {
    this.facts = facts;
    this.startCwd = cwd;
    this.depth = depth;
    this.out = out;
  }

  walk(commands: readonly ShellCommand[]): void {
    for (const command of commands) {
      const invocation = this.invocationOf(command);
      const name = invocation.argv[0]?.text;
      if (name === 'cd' || name === 'pushd') this.changeDirectory(command, invocation);
      if (name && DECLARING.has(name)) this.declare(invocation);
      if (command.words.length === 0) {
        for (const [key, value] of invocation.env) this.vars.set(key, value);
      }
      this.expand(invocation);
    }
  }

  private lookup = (name: string): string | undefined =>
    this.vars.has(name) ? this.vars.get(name) : this.facts.env[name];

  private invocationOf(command: ShellCommand): Invocation {
    const arg = (word: ShellCommand['words'][number]) => evalWord(word, this.lookup, this.facts.home);
    const invocation: Invocation = {
      argv: command.words.map(arg),
      cwd: this.cwdOf(command.scope),
      env: new Map(command.assignments.map((a) => [a.name, arg(a.value).text])),
      unset: [],
      redirects: command.redirects.map((r) => ({
        op: r.op,
        ...(r.fd === undefined ? {} : { fd: r.fd }),
        target: arg(r.target),
      })),
      piped: command.piped,
    };
    const heredoc = command.redirects.find((r) => r.heredoc !== undefined);
    const herestring = command.redirects.find((r) => r.op === '<<<');
    if (heredoc?.heredoc !== undefined) invocation.stdinText = heredoc.heredoc;
    else if (herestring) invocation.stdinText = arg(herestring.target).text;
    return invocation;
  }

  private cwdOf(scope: readonly number[]): string | undefined {
    for (let n = scope.length; n > 0; n--) {
      const key = scope.slice(0, n).join('/');
      if (this.cwdByScope.has(key)) return this.cwdByScope.get(key);
    }
    return this.startCwd;
  }

  private changeDirectory(command: ShellCommand, invocation: Invocation): void {
    const target = invocation.argv.slice(1).find((a) => a.text === undefined || !a.text.startsWith('-'));
    const text = target === undefined ? this.facts.home : target.text;
    const next = text === undefined || invocation.cwd === undefined ? undefined : path.resolve(invocation.cwd, text);
    this.cwdByScope.set(command.scope.join('/'), text !== undefined && path.isAbsolute(text) ? text : next);
  }

  /** `export NAME=value`, `local NAME=value`: later words see the value. */
  private declare(invocation: Invocation): void {
    for (const arg of invocation.argv.slice(1)) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg.text ?? '');
      if (match?.[1]) this.vars.set(match[1], match[2]);
    }
  }

  /** Records the invocation and whatever it runs in turn. */
  private expand(invocation: Invocation): void {
    this.out.invocations.push(invocation);
    const unwrapped = unwrapInvocation(invocation);
    for (const inner of unwrapped.invocations) this.expand(inner);
    for (const violation of unwrapped.violations) this.out.violations.push(violation);
    for (const script of unwrapped.scripts) {
      const nested = collectInvocations(script.text, script.cwd, this.facts, this.depth + 1);
      this.out.invocations.push(...nested.invocations);
      this.out.violations.push(...nested.violations);
    }
  }
}
