/**
 * The commit after a PASS. agent mode: the tester commits; a PASS that leaves the
 * iteration's changes uncommitted falls back to a harness commit of exactly those changes, and a
 * missing tick is added to the iteration's own commit. plan mode: the harness commits exactly the
 * files the tester listed (never a pre-dirty or harness file) plus the tick.
 */
import type { Task } from '../tasks/index.js';
import { iterationChanges, toRepoRelative, type ChangeFilter } from '../workspace/changes.js';
import { commitFiles, harnessCommit, identityArgs } from '../workspace/commit.js';
import { CommitHookError, type CommitHooks } from '../workspace/hooked-commit.js';
import { git, headCommit } from '../workspace/git.js';
import { readHeadCommit, type HeadCommit } from '../workspace/ancestry.js';
import { lineageViolation, type HeadNow } from '../workspace/lineage.js';
import { detectForeignFilesInCommits, rebuildCommitWithout } from '../workspace/rescue.js';
import { parseCommitPlan } from '../prompts/tester-reply.js';
import { choosePlanFiles } from './plan-files.js';
import { settleTicks, type TickOutcome } from './tick-step.js';

export interface CommitStepInput {
  repoRoot: string;
  taskFile: string;
  task: Task;
  commitMode: 'agent' | 'plan';
  startCommit: string;
  filter: ChangeFilter;
  testerText: string;
  iteration: number;
  /** The branch HEAD was on at the start (null: detached); commits land nowhere else. */
  startBranch?: string | null;
  /** Ids of the tasks open when the iteration began: agents may not tick any but theirs. */
  openAtStart?: ReadonlySet<string>;
  /**
   * Where HEAD is as the step begins, and the changes it saw uncommitted (read by the step before:
   * the status is not read again unless the step changed more than the task file since).
   */
  now: HeadNow & { changes?: { uncommitted: readonly string[] } };
  /** Lines the commit message ends with (`Integrity-Finding: <rule>: <path>` in `warn` mode). */
  trailers?: readonly string[];
  /** Run the repository's commit hooks (the run-start copy) in the harness's commits; none when absent. */
  hooks?: CommitHooks;
  /** The identity arguments of the harness's commits, when already asked (commitStep asks ahead). */
  identity?: Promise<string[]>;
  /**
   * Iteration changes kept out of the commit, and out of the agents' commits (rebuilt without them),
   * though still the iteration's: the loop keeps them aside as leftovers. The guardrails hold back an
   * edited `.gitignore` that made the user's ignored files visible, so none of them shows afterwards.
   */
  holdBack?: readonly string[];
}

export type CommitStepResult =
  | {
      committed: true;
      commit: string;
      by: 'agent' | 'harness';
      files: string[];
      message: string;
      tickedByHarness: boolean;
      /** Iteration changes the commit left out (plan mode): the loop rescues them. */
      leftover: string[];
      notes: string[];
    }
  | {
      committed: false;
      reason: string;
      notes: string[];
      /** The repository's commit hooks refused the commit: their output, for developerFix. */
      hookOutput?: string;
    };

/** The message with the trailers as its last paragraph (git's trailer block). */
export function withTrailers(message: string, trailers: readonly string[] = []): string {
  return trailers.length === 0 ? message : `${message.trimEnd()}\n\n${trailers.join('\n')}\n`;
}

/** The agents' last commit gets the trailers (the message only: the tree stays as it is). */
async function amendTrailers(input: CommitStepInput, notes: string[]): Promise<string> {
  const message = await git(input.repoRoot, ['log', '-1', '--format=%B']);
  await git(
    input.repoRoot,
    [...(await identityOf(input)), 'commit', '--quiet', '--no-verify', '--amend', '--only', '-F', '-'],
    { input: withTrailers(message, input.trailers) },
  );
  notes.push(`the harness added ${input.trailers?.length} Integrity-Finding trailer(s) to the agents' last commit`);
  return (await headCommit(input.repoRoot))!;
}

const identityOf = (input: CommitStepInput) => input.identity ?? identityArgs(input.repoRoot);

/** A harness commit of exactly `files`, its message ending with the iteration's trailers. */
const commitWithTrailers = (input: CommitStepInput, files: readonly string[], message: string) =>
  commitFiles(input.repoRoot, files, withTrailers(message, input.trailers), input.hooks, input.identity);

export function defaultCommitMessage(task: Task): string {
  const subject = task.text.replace(/\s+/g, ' ').trim();
  return subject.length > 72 ? `${subject.slice(0, 69)}...` : subject;
}

/**
 * Ticks the task and unticks others the agents ticked; a reason to refuse the commit when the task
 * is gone (its text edited, the file emptied or deleted): a commit that cannot carry the tick
 * would leave the task open, to be done again and again.
 */
async function settleTaskFile(
  input: CommitStepInput,
  notes: string[],
): Promise<{ tick: TickOutcome; touched: boolean; refusal?: string }> {
  const { tick, unticked } = await settleTicks(input.taskFile, input.task, input.openAtStart ?? new Set());
  if (tick.kind === 'task_missing') {
    const what = tick.fileMissing
      ? 'the task file was deleted during the iteration'
      : "the task's line was edited or removed during the iteration";
    return { tick, touched: false, refusal: `${what}, so the harness could not tick it; nothing was committed` };
  }
  if (unticked.length > 0)
    notes.push(`the agents ticked other tasks than this iteration's; unticked again: ${unticked.join('; ')}`);
  return { tick, touched: tick.kind === 'ticked_by_harness' || unticked.length > 0 };
}

/**
 * Whether the agents committed, after rebuilding their commits without files that are not the
 * iteration's: an agent that ran `git add -A` may have committed the user's pre-dirty files or
 * harness files (they stay in the work tree as they are).
 */
async function agentCommits(input: CommitStepInput, notes: string[]): Promise<{ head?: string; committed: boolean }> {
  const head = input.now.head;
  if (head === undefined || head === input.startCommit) return { ...(head ? { head } : {}), committed: false };
  const foreign = await detectForeignFilesInCommits({
    cwd: input.repoRoot,
    startCommit: input.startCommit,
    preDirty: new Set([...input.filter.preDirty, ...(input.holdBack ?? [])]),
    harnessPaths: input.filter.harnessPaths,
    head,
  });
  if (foreign.length === 0) return { head, committed: true };
  const rebuilt = await rebuildCommitWithout({ cwd: input.repoRoot, startCommit: input.startCommit, exclude: foreign });
  notes.push(
    `the agent's commit included files that are not the iteration's (${foreign.join(', ')}); ` +
      'it was rebuilt without them',
  );
  const after = await headCommit(input.repoRoot);
  return { ...(after ? { head: after } : {}), committed: rebuilt.commit !== undefined && after !== input.startCommit };
}

/** The tester committed the change but not the tick: the tick joins that same commit. */
async function amendTick(input: CommitStepInput, taskFileRel: string): Promise<HeadCommit> {
  await harnessCommit(
    input.repoRoot,
    {
      // The agent's commit it amends ran git's automatic maintenance a moment ago: not twice.
      gitOptions: ['--literal-pathspecs', '-c', 'maintenance.auto=false', ...(await identityOf(input))],
      commitArgs: ['--quiet', '--amend', '--no-edit', '--only', '--', taskFileRel],
    },
    input.hooks,
  );
  return readHeadCommit(input.repoRoot);
}

/**
 * The uncommitted paths after the tick, known without a status: those the step before saw, plus
 * the task file when the tick touched it. Unknown (read again) when the agents' commits were
 * rebuilt, which puts the files taken out of them back among the uncommitted.
 */
function dirtyAfterTick(input: CommitStepInput, head: string | undefined, ticked: string | undefined) {
  const seen = input.now.changes?.uncommitted;
  if (seen === undefined || head !== input.now.head) return undefined;
  return ticked === undefined || seen.includes(ticked) ? seen : [...seen, ticked];
}

/** The changes left uncommitted, split into what the harness commits and what it holds back. */
function splitHeldBack(input: CommitStepInput, uncommitted: readonly string[], notes: string[]) {
  const held = new Set(input.holdBack ?? []);
  const leftover = uncommitted.filter((file) => held.has(file));
  if (leftover.length > 0)
    notes.push(
      `not committed and kept aside: ${leftover.join(', ')} (the change made files you had ignored visible; ` +
        'they stay ignored)',
    );
  return { toCommit: uncommitted.filter((file) => !held.has(file)), leftover };
}

/** agent mode, and a `warn` iteration's trailers put on the agents' commit. */
async function commitAgentMode(
  input: CommitStepInput,
  taskFileRel: string,
  notes: string[],
): Promise<CommitStepResult> {
  const result = await agentModeCommit(input, taskFileRel, notes);
  if (!result.committed || result.by !== 'agent' || (input.trailers ?? []).length === 0) return result;
  return { ...result, commit: await amendTrailers(input, notes) };
}

async function agentModeCommit(
  input: CommitStepInput,
  taskFileRel: string,
  notes: string[],
): Promise<CommitStepResult> {
  const agent = await agentCommits(input, notes);
  const { tick, touched, refusal } = await settleTaskFile(input, notes);
  if (refusal) return { committed: false, reason: refusal, notes };
  const changes = await iterationChanges(
    input.repoRoot,
    input.startCommit,
    input.filter,
    agent.head,
    dirtyAfterTick(input, agent.head, touched ? taskFileRel : undefined),
  );
  const { toCommit, leftover } = splitHeldBack(input, changes.uncommitted, notes);
  const tickedByHarness = tick.kind === 'ticked_by_harness';
  const agentCommit = (made: HeadCommit, files: string[], ticked: boolean): CommitStepResult => ({
    committed: true,
    commit: made.commit,
    by: 'agent',
    files,
    message: made.subject,
    tickedByHarness: ticked,
    leftover,
    notes,
  });
  if (agent.committed && toCommit.length === 0)
    return agentCommit(
      { commit: agent.head!, subject: (await readHeadCommit(input.repoRoot)).subject },
      changes.committed,
      false,
    );
  if (agent.committed && touched && toCommit.length === 1 && toCommit[0] === taskFileRel)
    return agentCommit(
      await amendTick(input, taskFileRel),
      [...new Set([...changes.committed, taskFileRel])].sort(),
      tickedByHarness,
    );
  if (toCommit.length === 0) {
    return { committed: false, reason: 'the tester passed the task but the iteration left nothing to commit', notes };
  }
  if (agent.committed) notes.push('the tester committed part of the change; the harness committed the rest');
  else notes.push('the tester passed the task without committing; the harness committed it');
  const message = defaultCommitMessage(input.task);
  const result = await commitWithTrailers(input, toCommit, message);
  if (!result) return { committed: false, reason: 'git found nothing to commit among the iteration changes', notes };
  return {
    committed: true,
    commit: result.commit,
    by: 'harness',
    files: changes.all.filter((file) => !leftover.includes(file)),
    message,
    tickedByHarness,
    leftover,
    notes,
  };
}

async function commitPlanMode(input: CommitStepInput, taskFileRel: string, notes: string[]): Promise<CommitStepResult> {
  const changes = await iterationChanges(input.repoRoot, input.startCommit, input.filter, input.now.head);
  const plan = parseCommitPlan(input.testerText);
  let files: string[];
  let message: string;
  if (plan) {
    const chosen = choosePlanFiles(input.repoRoot, plan.files, changes.all);
    if (chosen.refused.length > 0)
      notes.push(`not committed: ${chosen.refused.map((refused) => `${refused.entry} (${refused.why})`).join(', ')}`);
    files = chosen.files;
    message = plan.message;
  } else {
    notes.push('the tester printed no COMMIT_MESSAGE/COMMIT_FILES plan; the harness committed the iteration changes');
    files = changes.uncommitted;
    message = defaultCommitMessage(input.task);
  }
  const { tick, touched, refusal } = await settleTaskFile(input, notes);
  if (refusal) return { committed: false, reason: refusal, notes };
  if (touched || changes.uncommitted.includes(taskFileRel)) files = [...new Set([...files, taskFileRel])];
  files = splitHeldBack(input, files, notes).toCommit;
  const result = await commitWithTrailers(input, files, message);
  if (!result) return { committed: false, reason: 'none of the files in the commit plan had changes', notes };
  const leftover = (await iterationChanges(input.repoRoot, result.commit, input.filter, result.commit)).uncommitted;
  if (leftover.length > 0) notes.push(`changes outside the commit plan were kept aside: ${leftover.join(', ')}`);
  return {
    committed: true,
    commit: result.commit,
    by: 'harness',
    files: result.files,
    message,
    tickedByHarness: tick.kind === 'ticked_by_harness',
    leftover,
    notes,
  };
}

export async function commitStep(given: CommitStepInput): Promise<CommitStepResult> {
  // git's user settings are asked beside the checks below: an amend of the agents' commit needs them.
  const input = { ...given, identity: given.identity ?? identityArgs(given.repoRoot) };
  const notes: string[] = [];
  const taskFileRel = toRepoRelative(input.repoRoot, input.taskFile);
  // Before anything is ticked or committed: a commit on the wrong branch or on a rewritten history
  // would leave the user's branch behind or drop their commits from it.
  const moved = await lineageViolation(input.repoRoot, input.startCommit, input.startBranch, input.now);
  if (moved) return { committed: false, reason: moved, notes };
  try {
    return input.commitMode === 'plan'
      ? await commitPlanMode(input, taskFileRel, notes)
      : await commitAgentMode(input, taskFileRel, notes);
  } catch (error) {
    if (!(error instanceof CommitHookError)) throw error;
    return { committed: false, reason: error.message, notes, hookOutput: error.output };
  }
}
