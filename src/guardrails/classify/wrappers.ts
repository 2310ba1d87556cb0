/**
 * Programs that run another program: the guard looks through them to the one they run. Each entry
 * says which of the wrapper's options take a value, so `timeout -s KILL 5 git push` is read as
 * `git push`. Shells and `eval` run text: that text comes back as a script to parse.
 */
import path from 'node:path';
import type { Violation } from '../rules.js';
import { type Arg, literalArg } from './args.js';
import type { Invocation } from './invocations.js';

export interface Unwrapped {
  invocations: Invocation[];
  scripts: { text: string; cwd: string | undefined }[];
  violations: Violation[];
}

interface WrapperSpec {
  /** Options that take the next word as their value. */
  valued: string[];
  /** Words after the options that are not the command (timeout's duration, flock's file). */
  positionals?: number;
}

const WRAPPERS: Record<string, WrapperSpec> = {
  command: { valued: [] },
  builtin: { valued: [] },
  exec: { valued: ['-a'] },
  nohup: { valued: [] },
  setsid: { valued: [] },
  nice: { valued: ['-n', '--adjustment'] },
  ionice: { valued: ['-c', '-n', '-p', '-P', '-u', '--class', '--classdata'] },
  stdbuf: { valued: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  timeout: { valued: ['-s', '-k', '--signal', '--kill-after'], positionals: 1 },
  time: { valued: ['-f', '-o', '--format', '--output'] },
  sudo: { valued: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-R', '-T'] },
  doas: { valued: ['-u', '-C'] },
  chronic: { valued: [] },
  unbuffer: { valued: [] },
  flock: { valued: ['-w', '-E', '--timeout', '--conflict-exit-code'], positionals: 1 },
  xargs: {
    valued: ['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s', '--arg-file', '--delimiter', '--eof', '--replace'],
  },
};

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'fish', 'busybox']);
const UNKNOWN: Arg = { text: undefined, display: '…', glob: false };

export function unwrapInvocation(invocation: Invocation): Unwrapped {
  const out: Unwrapped = { invocations: [], scripts: [], violations: [] };
  const name = commandName(invocation.argv[0]);
  if (name === undefined) return out;
  if (name === 'env') unwrapEnv(invocation, out);
  else if (SHELLS.has(name)) unwrapShell(invocation, out);
  else if (name === 'eval') addScript(out, invocation.argv.slice(1), invocation.cwd, invocation);
  else if (name === 'watch') unwrapWatch(invocation, out);
  else if (name === 'find') unwrapFind(invocation, out);
  else if (WRAPPERS[name]) unwrapGeneric(invocation, WRAPPERS[name], name, out);
  return out;
}

/** The program's name without its directory (`/usr/bin/git` → `git`). */
export function commandName(arg: Arg | undefined): string | undefined {
  return arg?.text === undefined ? undefined : path.basename(arg.text);
}

function inner(invocation: Invocation, argv: Arg[], changes: Partial<Invocation> = {}): Invocation {
  // The wrapper keeps its redirections; the program inside inherits them, not a second copy.
  return { ...invocation, argv, redirects: [], env: new Map(invocation.env), ...changes };
}

/** Index of the first word after the options (and positionals) of a wrapper. */
function skipOptions(argv: readonly Arg[], spec: WrapperSpec, from = 1): number {
  let i = from;
  for (; i < argv.length; i++) {
    const text = argv[i]!.text;
    if (text === '--') return i + 1 + (spec.positionals ?? 0);
    if (text === undefined || !text.startsWith('-') || text === '-') break;
    if (spec.valued.includes(text)) i++;
  }
  return i + (spec.positionals ?? 0);
}

function unwrapGeneric(invocation: Invocation, spec: WrapperSpec, name: string, out: Unwrapped): void {
  const argv = invocation.argv;
  if (name === 'command' && argv.slice(1).some((a) => a.text === '-v' || a.text === '-V')) return;
  if (name === 'flock') {
    const script = argv.findIndex((a) => a.text === '-c' || a.text === '--command');
    if (script > 0) {
      addScript(out, argv.slice(script + 1, script + 2), invocation.cwd, invocation);
      return;
    }
  }
  const start = skipOptions(argv, spec);
  if (start >= argv.length) return;
  // xargs appends words read from its input: unknown to the guard, but still arguments.
  const extra = name === 'xargs' ? [UNKNOWN] : [];
  out.invocations.push(inner(invocation, [...argv.slice(start), ...extra]));
}

/** `env [-i] [-u NAME] [-C DIR] [-S TEXT] [NAME=value]… command …` */
function unwrapEnv(invocation: Invocation, out: Unwrapped): void {
  const argv = invocation.argv;
  const env = new Map(invocation.env);
  const unset: string[] = [...invocation.unset];
  let cwd = invocation.cwd;
  let i = 1;
  for (; i < argv.length; i++) {
    const text = argv[i]!.text;
    if (text === undefined) break;
    const optionValue = (option: string) => {
      if (text !== option) return text.slice(option.length + 1);
      i++;
      return argv[i]?.text;
    };
    if (text === '-i' || text === '-' || text === '--ignore-environment') unset.push('*');
    else if (text === '-u' || text.startsWith('--unset='))
      unset.push(optionValue(text === '-u' ? '-u' : '--unset') ?? '*');
    else if (text.startsWith('-u') && text.length > 2) unset.push(text.slice(2));
    else if (text === '-C' || text.startsWith('--chdir=')) {
      const dir = optionValue(text === '-C' ? '-C' : '--chdir');
      cwd = dir === undefined || cwd === undefined ? undefined : path.resolve(cwd, dir);
    } else if (text === '-S' || text.startsWith('--split-string=')) {
      const split = optionValue(text === '-S' ? '-S' : '--split-string') ?? '';
      const words = split.split(/\s+/).filter(Boolean).map(literalArg);
      out.invocations.push(inner(invocation, [...words, ...argv.slice(i + 1)], { env, unset, cwd }));
      return;
    } else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) {
      const eq = text.indexOf('=');
      env.set(text.slice(0, eq), text.slice(eq + 1));
    } else if (text === '--') {
      i++;
      break;
    } else if (!text.startsWith('-')) break;
  }
  if (i < argv.length) out.invocations.push(inner(invocation, argv.slice(i), { env, unset, cwd }));
}

/** `sh -c TEXT`, `bash -lc TEXT`, `bash <<EOF`, `echo … | sh`. */
function unwrapShell(invocation: Invocation, out: Unwrapped): void {
  const argv = commandName(invocation.argv[0]) === 'busybox' ? invocation.argv.slice(1) : invocation.argv;
  let commandString = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const text = argv[i]!.text;
    if (text === undefined) break;
    if (text === '--' || text === '-') {
      i++;
      break;
    }
    if (/^[-+][oO]$/.test(text) || text === '--rcfile' || text === '--init-file') i++;
    else if (/^-[A-Za-z]*c[A-Za-z]*$/.test(text) || text === '--command') commandString = true;
    else if (!text.startsWith('-') && !text.startsWith('+')) break;
  }
  if (commandString) {
    addScript(out, argv.slice(i, i + 1), invocation.cwd, invocation);
    return;
  }
  if (i < argv.length) return; // a script file: its content is the repository's business
  if (invocation.stdinText !== undefined) {
    out.scripts.push({ text: invocation.stdinText, cwd: invocation.cwd });
  } else if (invocation.piped) {
    out.violations.push({
      rule: 'opaque-command',
      reason: 'a shell reading its commands from a pipe cannot be inspected; run the commands directly',
      subject: display(invocation.argv),
    });
  }
}

function unwrapWatch(invocation: Invocation, out: Unwrapped): void {
  const start = skipOptions(invocation.argv, { valued: ['-n', '-d', '--interval', '--differences'] });
  addScript(out, invocation.argv.slice(start), invocation.cwd, invocation);
}

/** `find … -exec CMD {} ;`: CMD runs once per file found. */
function unwrapFind(invocation: Invocation, out: Unwrapped): void {
  const argv = invocation.argv;
  for (let i = 1; i < argv.length; i++) {
    if (!['-exec', '-execdir', '-ok', '-okdir'].includes(argv[i]!.text ?? '')) continue;
    const end = argv.findIndex((a, n) => n > i && (a.text === ';' || a.text === '+'));
    const words = argv.slice(i + 1, end < 0 ? argv.length : end).map((a) => (a.text === '{}' ? UNKNOWN : a));
    if (words.length > 0) out.invocations.push(inner(invocation, words, { piped: false }));
    i = end < 0 ? argv.length : end;
  }
}

/** The words, joined by spaces, run as a script (what `eval` and `sh -c` do). */
function addScript(out: Unwrapped, words: readonly Arg[], cwd: string | undefined, from: Invocation): void {
  if (words.length === 0) return;
  if (words.some((word) => word.text === undefined)) {
    out.violations.push({
      rule: 'opaque-command',
      reason: 'runs shell text the guard cannot read (built at run time); run the commands directly',
      subject: display(from.argv),
    });
    return;
  }
  out.scripts.push({ text: words.map((word) => word.text).join(' '), cwd });
}

export function display(argv: readonly Arg[]): string {
  return argv.map((arg) => arg.display).join(' ');
}
