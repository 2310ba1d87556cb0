/**
 * Who moved HEAD since the harness last recorded it, read from git's own record: the HEAD reflog.
 * Every git command an agent runs writes its marker (`GIT_REFLOG_ACTION` in pi's environment) at
 * the start of its reflog message; the user's commands, run after a crash, do not. Crash recovery
 * uses this to tell the crashed iteration's own commits from commits the user made afterwards.
 *
 * Whenever the record cannot tell (no reflog, the recorded commit not in it, a move without the
 * marker), the answer is `other`: recovery then keeps HEAD where it is — keeping a commit is never
 * a loss, moving HEAD past one could be.
 */
import { git, headCommit } from './git.js';
import { currentBranch } from './restore.js';

export type HeadMoves =
  /** HEAD is where it was recorded, on the branch it was on. */
  | 'none'
  /** Only the agent's commands (carrying the marker) moved it. */
  | 'agent'
  /** Someone else moved it, or the record cannot say who. */
  | 'other';

export interface HeadMovesQuery {
  cwd: string;
  /** HEAD as the harness last recorded it. */
  recorded: string;
  /** The branch HEAD was on (`refs/heads/...`), null when detached; undefined when unknown. */
  branch?: string | null;
  /** The agent's reflog marker (agentReflogAction). */
  marker: string;
}

interface ReflogEntry {
  commit: string;
  subject: string;
}

/** Newest first; empty when HEAD has no reflog. */
async function headReflog(cwd: string, limit: number): Promise<ReflogEntry[]> {
  let output: string;
  try {
    output = await git(cwd, ['log', '-g', `-n${limit}`, '--format=%H%x1f%gs', 'HEAD', '--']);
  } catch {
    return [];
  }
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit = '', subject = ''] = line.split('\x1f');
      return { commit, subject };
    });
}

const REFLOG_LIMIT = 2000;

export async function headMovesSince(query: HeadMovesQuery): Promise<HeadMoves> {
  const { cwd, recorded, marker } = query;
  const head = await headCommit(cwd);
  const branch = await currentBranch(cwd);
  const sameBranch = query.branch === undefined || branch === query.branch;
  const entries = await headReflog(cwd, REFLOG_LIMIT);
  const byAgent = (entry: ReflogEntry) => entry.subject.startsWith(marker);
  if (!sameBranch) {
    // HEAD went to another branch: whoever did that last is who moved it.
    const newest = entries[0];
    return newest && byAgent(newest) ? 'agent' : 'other';
  }
  if (head === recorded) return 'none';
  const at = entries.findIndex((entry) => entry.commit === recorded);
  if (at <= 0) return 'other'; // not in the record: who moved it cannot be told
  return entries.slice(0, at).every(byAgent) ? 'agent' : 'other';
}
