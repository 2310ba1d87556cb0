/**
 * Who moved HEAD since the harness recorded it (workspace/head-moves.ts), read from the HEAD
 * reflog: the agents' git commands carry a marker there (GIT_REFLOG_ACTION), nobody else's do.
 * Whenever the record cannot tell, the answer is `other`: recovery then leaves HEAD alone.
 */
import { describe, expect, it } from 'vitest';
import { agentReflogAction } from '../../src/vocabulary/agent-marker.js';
import { headMovesSince } from '../../src/workspace/head-moves.js';
import { GIT_TEST_ENV, makeRepo } from '../helpers/git-repo.js';
import { execFileSync } from 'node:child_process';

const MARKER = agentReflogAction('run-1');

function git(repo: string, args: string[], agent = false): string {
  const env = { ...process.env, ...GIT_TEST_ENV, ...(agent ? { GIT_REFLOG_ACTION: MARKER } : {}) };
  return execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' }).trim();
}

const commit = (repo: string, message: string, agent = false) =>
  git(repo, ['commit', '-q', '--allow-empty', '-m', message], agent);

async function repoAt(): Promise<{ repo: string; start: string }> {
  const repo = await makeRepo();
  return { repo, start: git(repo, ['rev-parse', 'HEAD']) };
}

describe('headMovesSince', () => {
  it('none: HEAD is where it was recorded, on its branch', async () => {
    const { repo, start } = await repoAt();
    expect(await headMovesSince({ cwd: repo, recorded: start, branch: 'refs/heads/main', marker: MARKER })).toBe(
      'none',
    );
  });

  it("agent: only the agents' commands moved it (commits, a reset, a branch switch)", async () => {
    const { repo, start } = await repoAt();
    commit(repo, 'agent one', true);
    commit(repo, 'agent two', true);
    git(repo, ['reset', '-q', '--soft', 'HEAD~1'], true);
    expect(await headMovesSince({ cwd: repo, recorded: start, branch: 'refs/heads/main', marker: MARKER })).toBe(
      'agent',
    );
    git(repo, ['checkout', '-q', '-b', 'agent-branch'], true);
    expect(await headMovesSince({ cwd: repo, recorded: start, branch: 'refs/heads/main', marker: MARKER })).toBe(
      'agent',
    );
  });

  it("other: a commit of the user's on top (also over the agents'), a branch switch of theirs, another run's agent", async () => {
    const { repo, start } = await repoAt();
    commit(repo, 'agent', true);
    commit(repo, 'mine');
    expect(await headMovesSince({ cwd: repo, recorded: start, marker: MARKER })).toBe('other');
    const second = await repoAt();
    git(second.repo, ['checkout', '-q', '-b', 'mine']);
    expect(
      await headMovesSince({ cwd: second.repo, recorded: second.start, branch: 'refs/heads/main', marker: MARKER }),
    ).toBe('other');
    const third = await repoAt();
    commit(third.repo, 'agent', true);
    expect(await headMovesSince({ cwd: third.repo, recorded: third.start, marker: agentReflogAction('run-2') })).toBe(
      'other',
    );
  });

  it('other: the recorded commit is not in the reflog (expired, or reflogs are off)', async () => {
    const { repo, start } = await repoAt();
    commit(repo, 'agent', true);
    git(repo, ['reflog', 'expire', '--expire=all', '--all']);
    expect(await headMovesSince({ cwd: repo, recorded: start, marker: MARKER })).toBe('other');
  });
});
