/**
 * pi's git environment, played for real: pushes to a local bare remote are refused by git itself,
 * whatever the command line says; hooks planted after the run-start copy never run, the user's own
 * hooks still do.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyRunStartHooks, guardedGitEnv, runStartHooksDir } from '../../../src/guardrails/git-env.js';
import { GIT_TEST_ENV, gitSync, makeRepo } from '../../helpers/git-repo.js';
import { tempDir } from '../../helpers/temp-dir.js';

async function repoWithRemote(): Promise<{ repo: string; remote: string; env: NodeJS.ProcessEnv }> {
  const repo = await makeRepo({ 'a.txt': 'a\n' });
  const remote = path.join(await tempDir('pi-harness-remote-'), 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', remote]);
  gitSync(repo, 'remote', 'add', 'origin', remote);
  const hooks = runStartHooksDir(path.join(repo, '.git'));
  await copyRunStartHooks(repo, hooks);
  const env = { ...process.env, ...GIT_TEST_ENV, ...guardedGitEnv({ hooksPath: hooks }) };
  return { repo, remote, env };
}

function agentGit(repo: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
}

describe("pi's git environment", () => {
  it('refuses every push to a local bare remote, --no-verify and -c tricks included', async () => {
    const { repo, remote, env } = await repoWithRemote();
    const attempts = [
      ['push', 'origin', 'main'],
      ['push', '--no-verify', 'origin', 'main'],
      ['push', remote, 'main'],
      ['push', `file://${remote}`, 'main'],
      ['-c', 'protocol.allow=always', 'push', 'origin', 'main'],
      ['-c', 'protocol.file.allow=always', '-c', 'protocol.allow=always', 'push', '--no-verify', 'origin', 'main'],
      ['-c', `url.${remote}.pushInsteadOf=${remote}`, 'push', 'origin', 'main'],
      ['-c', `remote.origin.pushurl=${remote}`, 'push', 'origin', 'main'],
      ['push', '--mirror', 'origin'],
    ];
    for (const args of attempts) {
      const result = agentGit(repo, env, ...args);
      expect(result.status, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(/not allowed/);
    }
    expect(execFileSync('git', ['for-each-ref'], { cwd: remote, encoding: 'utf8' })).toBe('');
    // The same push works without the environment: the refusal is the environment's doing.
    expect(agentGit(repo, { ...process.env }, 'push', '-q', 'origin', 'main').status).toBe(0);
  });

  it("runs the user's run-start hooks, never one planted afterwards", async () => {
    const repo = await makeRepo({ 'a.txt': 'a\n' });
    const marker = (name: string) => path.join(repo, `${name}.ran`);
    const plant = async (name: string) => {
      const file = path.join(repo, '.git', 'hooks', name);
      await writeFile(file, `#!/bin/sh\ntouch '${marker(name)}'\n`);
      await chmod(file, 0o755);
    };
    await plant('commit-msg'); // the user's own hook, present at run start
    const hooks = runStartHooksDir(path.join(repo, '.git'));
    const copy = await copyRunStartHooks(repo, hooks);
    expect(copy.hooks).toEqual(['commit-msg']);
    await plant('pre-commit'); // planted by the agent during the run
    const env = { ...process.env, ...GIT_TEST_ENV, ...guardedGitEnv({ hooksPath: hooks }) };
    expect(agentGit(repo, env, 'commit', '--allow-empty', '-qm', 'x').status).toBe(0);
    expect(existsSync(marker('commit-msg'))).toBe(true);
    expect(existsSync(marker('pre-commit'))).toBe(false);
    // An fsmonitor program written into the config does not run either.
    gitSync(repo, 'config', 'core.fsmonitor', `touch '${marker('fsmonitor')}'; false`);
    agentGit(repo, env, 'status');
    expect(existsSync(marker('fsmonitor'))).toBe(false);
  });

  it('keeps configuration already passed through GIT_CONFIG_COUNT', () => {
    const env = guardedGitEnv({
      hooksPath: '/h',
      baseEnv: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.name', GIT_CONFIG_VALUE_0: 'x' },
    });
    expect(env).toMatchObject({
      GIT_CONFIG_COUNT: '3',
      GIT_CONFIG_KEY_1: 'core.hooksPath',
      GIT_CONFIG_VALUE_1: '/h',
      GIT_CONFIG_KEY_2: 'core.fsmonitor',
      GIT_ALLOW_PROTOCOL: '',
    });
  });

  it('copies hooks from a configured core.hooksPath, or makes an empty directory', async () => {
    const repo = await makeRepo({ '.husky/pre-commit': '#!/bin/sh\nexit 0\n' });
    gitSync(repo, 'config', 'core.hooksPath', '.husky');
    const copy = await copyRunStartHooks(repo, path.join(repo, '.git', 'pi-harness', 'hooks'));
    expect(copy.source).toBe(path.join(repo, '.husky'));
    expect(copy.hooks).toEqual(['pre-commit']);
    const bare = await makeRepo();
    const empty = await copyRunStartHooks(bare, path.join(bare, '.git', 'pi-harness', 'hooks'));
    expect(empty.hooks).toEqual([]);
    expect(existsSync(empty.destination)).toBe(true);
  });
});
