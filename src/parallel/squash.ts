/**
 * A task's change as one commit that leaves the task file alone: the worker's branch squashed
 * onto its base, with the task file as the base had it. The merge queue replays that onto the start
 * branch and ticks the task itself, so two tasks ticked on neighbouring lines never conflict.
 */
import { git } from '../workspace/git.js';
import { commitTree, setIndexEntries, withTempIndex } from '../workspace/tree-builder.js';

export interface SquashInput {
  repoRoot: string;
  /** The worker's branch tip. */
  from: string;
  /** The commit the worker's branch started at. */
  base: string;
  /** The task file, repository-relative. */
  taskFile: string;
}

/** The identity of `commit`'s author, so the squashed and merged commits keep it. */
export async function authorOf(repoRoot: string, commit: string): Promise<NodeJS.ProcessEnv> {
  const [name, email] = (await git(repoRoot, ['log', '-1', '--format=%an%x00%ae', commit])).trim().split('\0');
  return {
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
  };
}

/** The messages of the worker's commits, oldest first, as one message. */
export async function squashedMessage(repoRoot: string, base: string, from: string): Promise<string> {
  const out = await git(repoRoot, ['log', '--reverse', '--format=%B%x00', `${base}..${from}`]);
  const messages = out
    .split('\0')
    .map((message) => message.trim())
    .filter(Boolean);
  return messages.length > 0 ? `${messages.join('\n\n')}\n` : 'pi-harness: task change\n';
}

/** The squashed commit, with the message and identity it was made with (a replay of it keeps both). */
export interface Squashed {
  commit: string;
  message: string;
  identity: NodeJS.ProcessEnv;
}

export async function squashWithoutTaskFile(input: SquashInput): Promise<Squashed> {
  const { repoRoot, from, base, taskFile } = input;
  const tree = await withTempIndex(async (env) => {
    await git(repoRoot, ['read-tree', from], { env });
    await setIndexEntries(repoRoot, env, base, [taskFile]);
    return (await git(repoRoot, ['write-tree'], { env })).trim();
  });
  const message = await squashedMessage(repoRoot, base, from);
  const identity = await authorOf(repoRoot, from);
  return { commit: await commitTree(repoRoot, { tree, parents: [base], message, identity }), message, identity };
}
