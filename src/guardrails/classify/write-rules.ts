/**
 * The files a shell command recognisably writes or removes: redirections, and the arguments of
 * the usual file tools (`rm`, `mv`, `cp`, `ln`, `tee`, `sed -i`, `touch`, `mkdir`, `dd of=`,
 * `find -delete`, …). Each target is checked like a write tool's path. A target whose name only
 * the shell can know (`rm "$(cat list)"`) is not checked here: the snapshot around the iteration
 * catches what this layer cannot see.
 */
import type { Violation } from '../rules.js';
import { type Arg, pathCandidates } from './args.js';
import type { GuardFacts } from './facts.js';
import { operands } from './git-command.js';
import type { Invocation } from './invocations.js';
import { checkWritePath, type WriteKind } from './paths.js';
import { commandName, display } from './wrappers.js';

interface Target {
  arg: Arg;
  kind: WriteKind;
}

const WRITE_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '<>']);

function redirectTargets(invocation: Invocation): Target[] {
  return invocation.redirects.flatMap((redirect): Target[] => {
    if (WRITE_REDIRECTS.has(redirect.op)) return [{ arg: redirect.target, kind: 'write' }];
    // `>&file` writes a file; `>&2` and `>&-` duplicate or close a descriptor.
    if (redirect.op === '>&' && !/^(\d+|-)$/.test(redirect.target.text ?? '-'))
      return [{ arg: redirect.target, kind: 'write' }];
    return [];
  });
}

/** Options (per tool) that take the next word as their value, so it is not taken for a file. */
const VALUED: Record<string, string[]> = {
  cp: ['-t', '-S', '--target-directory', '--suffix'],
  mv: ['-t', '-S', '--target-directory', '--suffix'],
  ln: ['-t', '-S', '--target-directory', '--suffix'],
  install: ['-t', '-m', '-o', '-g', '-S', '--target-directory', '--mode', '--owner', '--group'],
  truncate: ['-s', '-r', '--size', '--reference'],
  mkdir: ['-m', '--mode'],
  touch: ['-d', '-r', '-t', '--date', '--reference'],
  sed: ['-e', '-f', '-l', '--expression', '--file', '--line-length'],
  shred: ['-n', '-s', '--iterations', '--size'],
  chmod: ['--reference'],
  chown: ['--reference', '--from'],
  perl: ['-e', '-E', '-M', '-I'],
};

function fileOperands(invocation: Invocation, name: string): Arg[] {
  const { before, after } = operands(invocation.argv.slice(1), VALUED[name] ?? []);
  return [...before, ...after];
}

/** `-t DIR` / `--target-directory=DIR`, when given. */
function targetDirectory(argv: readonly Arg[]): Arg | undefined {
  for (let i = 1; i < argv.length; i++) {
    const text = argv[i]!.text ?? '';
    if (text === '-t' || text === '--target-directory') return argv[i + 1];
    if (text.startsWith('--target-directory=')) return { ...argv[i]!, text: text.slice(19), display: text.slice(19) };
  }
  return undefined;
}

function copyTargets(invocation: Invocation, name: string, moves: boolean): Target[] {
  const files = fileOperands(invocation, name);
  const directory = targetDirectory(invocation.argv);
  const sources = directory ? files : files.slice(0, -1);
  const destination = directory ?? (files.length > 1 ? files.at(-1) : undefined);
  const targets: Target[] = destination ? [{ arg: destination, kind: 'write' }] : [];
  if (moves) for (const source of sources) targets.push({ arg: source, kind: 'remove' });
  return targets;
}

function toolTargets(invocation: Invocation): Target[] {
  const name = commandName(invocation.argv[0]);
  if (name === undefined) return [];
  const all = (kind: WriteKind) => fileOperands(invocation, name).map((arg) => ({ arg, kind }));
  switch (name) {
    case 'rm':
    case 'rmdir':
    case 'unlink':
    case 'shred':
      return all('remove');
    case 'mv':
      return copyTargets(invocation, name, true);
    case 'cp':
    case 'ln':
    case 'install':
    case 'rsync':
      return copyTargets(invocation, name, false);
    case 'tee':
    case 'touch':
    case 'truncate':
    case 'mkdir':
      return all('write');
    case 'chmod':
    case 'chown':
    case 'chgrp':
      return all('write').slice(1);
    case 'sed':
    case 'perl':
      return inPlaceTargets(invocation, name);
    case 'dd':
      return invocation.argv.flatMap((arg) =>
        arg.text?.startsWith('of=') ? [{ arg: { ...arg, text: arg.text.slice(3) }, kind: 'write' as const }] : [],
      );
    case 'find':
      return findDeleteTargets(invocation);
    default:
      return [];
  }
}

/** `sed -i` / `perl -i`: the files after the script are rewritten. */
function inPlaceTargets(invocation: Invocation, name: string): Target[] {
  const argv = invocation.argv.slice(1);
  const inPlace = argv.some((a) => /^(-[a-zA-Z]*i|--in-place)/.test(a.text ?? ''));
  if (!inPlace) return [];
  const files = fileOperands(invocation, name);
  const scriptGiven = argv.some((a) => ['-e', '-f', '--expression', '--file', '-E'].includes(a.text ?? ''));
  return (scriptGiven ? files : files.slice(1)).map((arg) => ({ arg, kind: 'write' }));
}

/** `find PATH… -delete` removes what it finds under each starting path. */
function findDeleteTargets(invocation: Invocation): Target[] {
  const argv = invocation.argv.slice(1);
  if (!argv.some((a) => a.text === '-delete')) return [];
  const end = argv.findIndex((a) => a.text === undefined || /^[-(!]/.test(a.text));
  const starts = argv.slice(0, end < 0 ? argv.length : end);
  return (starts.length > 0 ? starts : [{ text: '.', display: '.', glob: false }]).map((arg) => ({
    arg,
    kind: 'remove',
  }));
}

export function writeViolations(invocation: Invocation, facts: GuardFacts): Violation[] {
  const violations: Violation[] = [];
  const subject = display(invocation.argv) || invocation.redirects.map((r) => `${r.op}${r.target.display}`).join(' ');
  for (const target of [...redirectTargets(invocation), ...toolTargets(invocation)]) {
    for (const candidate of pathCandidates(target.arg, invocation.cwd) ?? []) {
      const violation = checkWritePath(candidate, target.kind, facts, subject);
      if (violation) {
        violations.push(violation);
        break;
      }
    }
  }
  return violations;
}
