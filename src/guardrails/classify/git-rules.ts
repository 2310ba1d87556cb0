/**
 * The git subcommands that can cost the user data or history, and when each is refused. Every
 * check reads the command as git would; the few that need the repository's answer (is this a
 * revision, is that commit the iteration's own) ask the oracle.
 */
import type { GuardrailRule, Violation } from '../rules.js';
import type { Arg } from './args.js';
import type { GuardFacts } from './facts.js';
import { type GitCommand, operands, optionSet } from './git-command.js';
import { checkoutPaths, listFiles, pathspecCoverage } from './git-paths.js';
import { display } from './wrappers.js';

type GitCheck = (git: GitCommand, facts: GuardFacts) => Promise<string | undefined> | string | undefined;

const always =
  (reason: string): GitCheck =>
  () =>
    reason;

const CHECKS: Record<string, { rule: GuardrailRule; check: GitCheck }> = {
  push: { rule: 'git-push', check: always('the harness never publishes anything; pushing is for the user') },
  'send-pack': { rule: 'git-push', check: always('the harness never publishes anything') },
  reset: { rule: 'git-reset', check: checkReset },
  rebase: { rule: 'git-rebase', check: always('rebasing rewrites history the harness must keep') },
  checkout: { rule: 'git-checkout', check: checkCheckout },
  switch: { rule: 'git-switch', check: checkSwitch },
  restore: { rule: 'git-checkout', check: checkRestore },
  branch: { rule: 'git-branch', check: checkBranch },
  tag: { rule: 'git-tag', check: checkTag },
  stash: { rule: 'git-stash', check: checkStash },
  clean: { rule: 'git-clean', check: checkClean },
  'update-ref': { rule: 'git-update-ref', check: always('refs are moved only by commits the harness records') },
  'symbolic-ref': { rule: 'git-update-ref', check: checkSymbolicRef },
  reflog: { rule: 'git-reflog', check: checkReflog },
  gc: { rule: 'git-gc', check: checkGc },
  prune: { rule: 'git-gc', check: always('pruning deletes unreachable commits the user may still want') },
  'filter-branch': { rule: 'git-filter-branch', check: always('filter-branch rewrites history') },
  'filter-repo': { rule: 'git-filter-branch', check: always('filter-repo rewrites history') },
  config: { rule: 'git-config', check: checkConfig },
  remote: { rule: 'git-config', check: checkRemote },
  commit: { rule: 'git-amend', check: checkAmend },
  worktree: { rule: 'git-worktree', check: checkWorktree },
};

export async function gitViolations(git: GitCommand, facts: GuardFacts): Promise<Violation[]> {
  const subject = display(git.invocation.argv);
  const found: Violation[] = [];
  const override = configOverride(git);
  if (override) found.push({ rule: 'git-config-override', reason: override, subject });
  if (git.sub === undefined) {
    if (git.hasSub) {
      const reason = 'a git subcommand the guard cannot read (built at run time); write it out';
      found.push({ rule: 'opaque-command', reason, subject });
    }
    return found;
  }
  const entry = CHECKS[git.sub];
  const reason = entry ? await entry.check(git, facts) : undefined;
  if (entry && reason) found.push({ rule: entry.rule, reason, subject });
  const ignored = git.sub === 'commit' ? await committedIgnored(git, facts) : undefined;
  const added = git.sub === 'add' ? await addedIgnored(git, facts) : undefined;
  if (ignored || added) found.push({ rule: 'git-commit-ignored', reason: (ignored ?? added)!, subject });
  return found;
}

/** `-c` settings that would undo the protections of pi's git environment. */
const GUARDED_KEYS = /^(core\.hookspath|core\.fsmonitor|alias\.|url\.|remote\.|protocol\.|include\.|includeif\.)/;

function configOverride(git: GitCommand): string | undefined {
  const key = git.config.find((setting) => GUARDED_KEYS.test(setting.key) || setting.key === '')?.key;
  if (key === undefined) return undefined;
  return `overriding git's ${key || 'configuration'} on the command line is not allowed (hooks, remotes and aliases stay as they are)`;
}

function texts(args: readonly Arg[]): (string | undefined)[] {
  return args.map((arg) => arg.text);
}

async function checkReset(git: GitCommand, facts: GuardFacts): Promise<string | undefined> {
  const options = optionSet(git.args);
  const { before, after, dashDash } = operands(git.args, ['--pathspec-from-file']);
  const mode = ['--soft', '--hard', '--mixed', '--merge', '--keep'].find((m) => options.has(m));
  const cwd = git.cwd ?? facts.repoRoot;
  if (mode === undefined || mode === '--mixed') {
    // `git reset [<tree-ish>] -- <paths>` / `git reset <path>` only touches the index.
    if (dashDash && after.length > 0) return undefined;
    const first = before[0]?.text;
    if (mode === undefined && first !== undefined && !(await facts.git.isRevision(first, cwd))) return undefined;
  }
  if (mode === '--soft') {
    const target = before[0];
    if (target === undefined) return undefined;
    if (target.text !== undefined && (await facts.git.isWithinIteration(target.text, cwd))) return undefined;
    return "only `git reset --soft` to a commit of this iteration is allowed; it never moves below the iteration's start";
  }
  return 'resetting can discard work and move the branch; only `git reset --soft` within this iteration is allowed';
}

async function checkCheckout(git: GitCommand, facts: GuardFacts): Promise<string | undefined> {
  const options = optionSet(git.args);
  for (const creating of ['-b', '-B', '--orphan', '--detach', '-t', '--track']) {
    if (options.has(creating))
      return 'switching to another branch is not allowed: the iteration works on its own branch';
  }
  const { before, after, dashDash } = operands(git.args, ['--conflict', '--pathspec-from-file', '-U']);
  if (options.has('--pathspec-from-file')) return 'paths read from a file cannot be checked; name them';
  const cwd = git.cwd ?? facts.repoRoot;
  let paths: Arg[];
  let treeish: Arg | undefined;
  if (dashDash) {
    treeish = before[0];
    paths = after;
  } else if (before.length === 0) {
    paths = options.has('-f') || options.has('--force') ? [{ text: '.', display: '.', glob: false }] : [];
  } else {
    const first = before[0]!;
    if (first.text === undefined) return 'a checkout target the guard cannot read';
    const isRevision = await facts.git.isRevision(first.text, cwd);
    treeish = isRevision ? first : undefined;
    paths = isRevision ? before.slice(1) : before;
  }
  if (paths.length > 0) return checkoutPaths(paths, cwd, facts);
  if (treeish === undefined || treeish.text === 'HEAD') return undefined;
  if (treeish.text !== undefined && treeish.text === (await facts.git.currentBranch(cwd))) return undefined;
  return 'switching to another branch or commit is not allowed: the iteration works on its own branch';
}

async function checkSwitch(git: GitCommand, facts: GuardFacts): Promise<string | undefined> {
  const options = optionSet(git.args);
  const { before } = operands(git.args, ['-c', '-C', '--create', '--force-create', '--orphan', '--conflict']);
  const creates = ['-c', '-C', '--create', '--force-create', '--orphan', '--detach', '-d'].some((o) => options.has(o));
  const target = before[0]?.text;
  if (!creates && (target === undefined ? before.length === 0 : false)) return undefined;
  if (!creates && target !== undefined && target === (await facts.git.currentBranch(git.cwd ?? facts.repoRoot)))
    return undefined;
  return 'switching to another branch is not allowed: the iteration works on its own branch';
}

async function checkRestore(git: GitCommand, facts: GuardFacts): Promise<string | undefined> {
  const options = optionSet(git.args);
  const worktree = options.has('--worktree') || options.has('-W') || !(options.has('--staged') || options.has('-S'));
  if (!worktree) return undefined;
  const { before, after } = operands(git.args, ['-s', '--source', '--pathspec-from-file', '--conflict']);
  if (options.has('--pathspec-from-file')) return 'paths read from a file cannot be checked; name them';
  return checkoutPaths([...before, ...after], git.cwd ?? facts.repoRoot, facts);
}

function checkBranch(git: GitCommand): string | undefined {
  const options = optionSet(git.args);
  const refused = ['-d', '-D', '--delete', '-m', '-M', '--move', '-f', '--force', '-u', '--set-upstream-to'];
  if (refused.some((o) => options.has(o)) || options.has('--unset-upstream') || options.has('--edit-description'))
    return 'deleting, renaming, moving or reconfiguring branches is not allowed';
  return undefined;
}

function checkTag(git: GitCommand): string | undefined {
  const options = optionSet(git.args);
  if (['-d', '--delete', '-f', '--force'].some((o) => options.has(o))) return 'deleting or moving tags is not allowed';
  return undefined;
}

function checkStash(git: GitCommand): string | undefined {
  const sub = git.args.find((arg) => arg.text === undefined || !arg.text.startsWith('-'));
  if (sub !== undefined && sub.text === undefined) return 'a stash subcommand the guard cannot read';
  if (['drop', 'clear', 'pop'].includes(sub?.text ?? ''))
    return 'stash entries may hold the user\'s work: drop, clear and pop are not allowed (use "git stash apply")';
  return undefined;
}

function checkClean(git: GitCommand): string | undefined {
  const options = optionSet(git.args);
  if (options.has('-n') || options.has('--dry-run')) return undefined;
  return "git clean deletes untracked and ignored files, the user's included; delete the files you created by name";
}

function checkSymbolicRef(git: GitCommand): string | undefined {
  const options = optionSet(git.args);
  const { before } = operands(git.args, ['-m']);
  if (options.has('-d') || options.has('--delete') || before.length >= 2) return 'moving HEAD by hand is not allowed';
  return undefined;
}

function checkReflog(git: GitCommand): string | undefined {
  const sub = texts(git.args).find((text) => text === undefined || !text.startsWith('-'));
  if (sub === 'expire' || sub === 'delete') return 'the reflog is how lost commits are found again; it stays';
  return undefined;
}

function checkGc(git: GitCommand): string | undefined {
  if (optionSet(git.args).has('--prune')) return 'pruning deletes unreachable commits the user may still want';
  return undefined;
}

const CONFIG_WRITES = [
  '--unset',
  '--unset-all',
  '--add',
  '--replace-all',
  '--rename-section',
  '--remove-section',
  '-e',
  '--edit',
];
const CONFIG_VALUED = ['-f', '--file', '--blob', '--type', '--default', '--comment', '--value'];

function checkConfig(git: GitCommand): string | undefined {
  const options = optionSet(git.args);
  const refusal = "git's configuration is the user's: reading it is fine, changing it is not";
  if (CONFIG_WRITES.some((o) => options.has(o))) return refusal;
  const { before } = operands(git.args, CONFIG_VALUED);
  const first = before[0]?.text;
  if (['set', 'unset', 'rename-section', 'remove-section', 'edit'].includes(first ?? '')) return refusal;
  if (['get', 'list', 'get-color', 'get-colorbool', 'get-urlmatch'].includes(first ?? '')) return undefined;
  const reads = ['--get', '--get-all', '--get-regexp', '--get-urlmatch', '-l', '--list', '--get-color'];
  if (reads.some((o) => options.has(o))) return undefined;
  return before.length >= 2 ? refusal : undefined;
}

function checkRemote(git: GitCommand): string | undefined {
  const sub = texts(git.args).find((text) => text === undefined || !text.startsWith('-'));
  if (['add', 'remove', 'rm', 'rename', 'set-url', 'set-head', 'set-branches'].includes(sub ?? ''))
    return "remotes are the user's configuration; they stay as they are";
  return undefined;
}

async function checkAmend(git: GitCommand, facts: GuardFacts): Promise<string | undefined> {
  if (!optionSet(git.args).has('--amend')) return undefined;
  if (await facts.git.isIterationCommit('HEAD', git.cwd ?? facts.repoRoot)) return undefined;
  return "HEAD is not a commit of this iteration: amending it would rewrite the user's history (make a new commit)";
}

function checkWorktree(git: GitCommand): string | undefined {
  const sub = texts(git.args).find((text) => text === undefined || !text.startsWith('-'));
  if (sub === 'remove' || sub === 'prune') return 'other work trees may hold work in progress; they stay';
  return undefined;
}

/** A commit would take a file that was ignored when the iteration began (an edited .gitignore). */
async function committedIgnored(_git: GitCommand, facts: GuardFacts): Promise<string | undefined> {
  if (facts.ignoredAtStart.size === 0) return undefined;
  const staged = await facts.git.stagedAdditions(facts.repoRoot);
  const taken = staged.filter((file) => facts.ignoredAtStart.has(file));
  if (taken.length === 0) return undefined;
  return `the commit would take files that were ignored when the iteration began (${listFiles(taken)}); unstage them with "git rm --cached"`;
}

/** `git add` would stage a file that was ignored when the iteration began. */
async function addedIgnored(git: GitCommand, facts: GuardFacts): Promise<string | undefined> {
  if (facts.ignoredAtStart.size === 0) return undefined;
  const cwd = git.cwd ?? facts.repoRoot;
  const visible = (await facts.git.visibleUntracked(facts.repoRoot)).filter((file) => facts.ignoredAtStart.has(file));
  if (visible.length === 0) return undefined;
  const options = optionSet(git.args);
  const { before, after } = operands(git.args, ['--chmod', '--pathspec-from-file']);
  const specs = [...before, ...after];
  const whole = specs.length === 0 && (options.has('-A') || options.has('--all'));
  const { covered, problem } = whole
    ? { covered: visible, problem: undefined }
    : pathspecCoverage(specs, cwd, visible, facts);
  if (covered.length === 0 && !problem) return undefined;
  const files = listFiles(covered.length > 0 ? covered : visible);
  return `files that were ignored when the iteration began are no longer ignored (${files}); they must never be committed: restore .gitignore`;
}
