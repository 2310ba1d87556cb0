/**
 * The guard's decision for one tool call: the rules it would break, after the allow and deny
 * patterns. `bash` commands are parsed into every program they run; `write` and `edit` are checked
 * by their path. Everything else (read, grep, find, ls) cannot cost data and passes.
 */
import os from 'node:os';
import path from 'node:path';
import type { Violation } from '../rules.js';
import type { GuardFacts } from './facts.js';
import { readGitCommand } from './git-command.js';
import { gitViolations } from './git-rules.js';
import { collectInvocations, type Invocation } from './invocations.js';
import { checkWritePath } from './paths.js';
import { firstMatch } from './patterns.js';
import { writeViolations } from './write-rules.js';
import { commandName, display } from './wrappers.js';

export interface ToolCall {
  toolName: string;
  input: Record<string, unknown>;
  /** pi's working directory for the call. */
  cwd: string;
}

export async function classifyToolCall(call: ToolCall, facts: GuardFacts): Promise<Violation[]> {
  if (call.toolName === 'bash' || call.toolName === 'powershell') {
    const command = call.input.command;
    return typeof command === 'string' ? classifyCommand(command, call.cwd, facts) : [];
  }
  if (call.toolName === 'write' || call.toolName === 'edit') return classifyFileTool(call, facts);
  return [];
}

export async function classifyCommand(command: string, cwd: string, facts: GuardFacts): Promise<Violation[]> {
  const { invocations, violations } = collectInvocations(command, cwd, facts);
  const found: Violation[] = [...violations];
  for (const invocation of invocations) {
    const argv = normalizedArgv(invocation);
    const denied = firstMatch(argv, facts.deny);
    if (denied) {
      const reason = `the repository's configuration denies commands matching "${denied.source}"`;
      found.push({ rule: 'deny-list', reason, subject: display(invocation.argv) });
      continue;
    }
    if (firstMatch(argv, facts.allow)) continue;
    found.push(...envOverrides(invocation), ...writeViolations(invocation, facts));
    if (commandName(invocation.argv[0]) === 'git')
      found.push(...(await gitViolations(readGitCommand(invocation), facts)));
  }
  return dedupe(found);
}

/** The words patterns are matched against: git without its global options. */
function normalizedArgv(invocation: Invocation): (string | undefined)[] {
  const name = commandName(invocation.argv[0]);
  if (name !== 'git') return [name, ...invocation.argv.slice(1).map((arg) => arg.text)];
  const git = readGitCommand(invocation);
  return ['git', git.sub, ...git.args.map((arg) => arg.text)];
}

/** Environment that switches off what pi's git environment enforces. */
const GUARDED_ENV = /^(GIT_CONFIG(_[A-Z0-9_]+)?|GIT_ALLOW_PROTOCOL|GIT_PROTOCOL_FROM_USER|GIT_EXEC_PATH)$/;

function envOverrides(invocation: Invocation): Violation[] {
  const name = commandName(invocation.argv[0]);
  const names = [...invocation.env.keys(), ...invocation.unset];
  if (name === 'unset' || name === 'export' || name === 'declare' || name === 'typeset' || name === 'local') {
    names.push(...invocation.argv.slice(1).map((arg) => (arg.text ?? '').split('=')[0]!));
  }
  const clearsAll = invocation.unset.includes('*') && invocation.argv.length > 0;
  const touched = names.filter((n) => GUARDED_ENV.test(n));
  if (touched.length === 0 && !(clearsAll && commandName(invocation.argv[0]) === 'git')) return [];
  const what = touched.length > 0 ? touched.join(', ') : "git's whole environment (env -i)";
  return [
    {
      rule: 'git-config-override',
      reason: `changing ${what} would switch off the protections of git's environment`,
      subject: display(invocation.argv) || names.join(' '),
    },
  ];
}

function classifyFileTool(call: ToolCall, facts: GuardFacts): Violation[] {
  const raw = call.input.path;
  if (typeof raw !== 'string' || raw === '') return [];
  const absolute = resolveToolPath(raw, call.cwd, facts.home);
  const relative = path.relative(facts.repoRoot, absolute);
  const argv = [call.toolName, relative.startsWith('..') ? absolute : relative];
  const denied = firstMatch(argv, facts.deny);
  if (denied) {
    const reason = `the repository's configuration denies "${denied.source}"`;
    return [{ rule: 'deny-list', reason, subject: raw }];
  }
  if (firstMatch(argv, facts.allow)) return [];
  const violation = checkWritePath(absolute, 'write', facts, raw);
  return violation ? [violation] : [];
}

const UNICODE_SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;

/** pi's own reading of a tool path: `@` prefix dropped, `~` expanded, `file://` URLs, then cwd. */
export function resolveToolPath(raw: string, cwd: string, home = os.homedir()): string {
  let text = raw.replace(UNICODE_SPACES, ' ');
  if (text.startsWith('@')) text = text.slice(1);
  if (text === '~') text = home;
  else if (text.startsWith('~/')) text = path.join(home, text.slice(2));
  else if (text.startsWith('file://')) text = decodeURIComponent(new URL(text).pathname);
  return path.resolve(cwd, text);
}

function dedupe(violations: readonly Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.rule}\0${v.subject}\0${v.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
