/**
 * The guardrails with the real pi and a scripted agent that tries the destructive commands: each
 * is blocked at the tool call (git state and files on disk are checked, not only the records), the
 * model reads an error naming the rule, and an honest command in the same turn runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBlockRecords } from '../../src/guardrails/block-log.js';
import { GUARD_CONTEXT_ENV, GUARD_LOG_ENV, writeGuardContext } from '../../src/guardrails/context.js';
import { guardrailsExtensionPath } from '../../src/guardrails/extension-path.js';
import { copyRunStartHooks, guardedGitEnv } from '../../src/guardrails/git-env.js';
import type { RpcTransportOptions } from '../../src/agent/rpc/rpc-transport.js';
import type { TurnResult } from '../../src/agent/types.js';
import type { GuardrailMode } from '../../src/guardrails/rules.js';
import {
  chatMessages,
  contentText,
  type RecordedRequest,
  type ScriptStep,
  toolResults,
} from '../../src/scripted-model/index.js';
import { GIT_TEST_ENV } from '../helpers/git-repo.js';
import { rpcFixtures, turn } from './rpc-helpers.js';

const fixture = rpcFixtures();

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_TEST_ENV } });
}

interface Guarded {
  repo: string;
  remote: string;
  logFile: string;
  run: (overrides?: Parameters<typeof turn>[2]) => Promise<TurnResult>;
  requests: () => RecordedRequest[];
}

/**
 * A sandbox repo with two commits, a branch `x` and a bare remote `origin`, and a transport whose
 * pi loads the guard with the given mode (or with no context file at all).
 */
async function guarded(
  script: ScriptStep[],
  mode: GuardrailMode | 'no-context' = 'enforce',
  more: Partial<RpcTransportOptions> = {},
): Promise<Guarded> {
  // The guard's files must be named before pi starts; the sandbox exists only once the fixture does.
  const guardDir = mkdtempSync(path.join(tmpdir(), 'pi-harness-guard-'));
  fixture.defer(() => rmSync(guardDir, { recursive: true, force: true }));
  const contextFile = path.join(guardDir, 'context.json');
  const logFile = path.join(guardDir, 'blocks.jsonl');
  const hooks = path.join(guardDir, 'hooks');
  const { sandbox, server, transport } = await fixture({
    script,
    transport: {
      ...more,
      extensions: [guardrailsExtensionPath()],
      baseEnv: {
        ...process.env,
        [GUARD_CONTEXT_ENV]: contextFile,
        [GUARD_LOG_ENV]: logFile,
        ...guardedGitEnv({ hooksPath: hooks }),
      },
    },
  });
  const repo = sandbox.repo;
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'first');
  git(repo, 'commit', '--allow-empty', '-qm', 'second');
  git(repo, 'branch', 'x');
  const remote = path.join(sandbox.root, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', remote]);
  git(repo, 'remote', 'add', 'origin', remote);
  await copyRunStartHooks(repo, hooks);
  mkdirSync(path.join(repo, '.pi-harness'), { recursive: true });
  if (mode !== 'no-context') {
    await writeGuardContext(contextFile, {
      version: 1,
      mode,
      repoRoot: repo,
      gitDir: path.join(repo, '.git'),
      gitCommonDir: path.join(repo, '.git'),
      runtimeDir: path.join(repo, '.pi-harness'),
      startCommit: git(repo, 'rev-parse', 'HEAD').trim(),
      role: 'developer',
      iteration: 3,
    });
  }
  return {
    repo,
    remote,
    logFile,
    run: (overrides) => transport.runTurn(turn(sandbox, server, overrides)),
    requests: () => server.completionRequests(),
  };
}

const OUTSIDE = path.join('/var/tmp', `pi-harness-guard-outside-${process.pid}.txt`);

const HOSTILE: ScriptStep[] = [
  {
    kind: 'tool_calls',
    calls: [
      { name: 'bash', arguments: { command: 'git push origin HEAD' } },
      { name: 'bash', arguments: { command: 'bash -lc "git reset --hard HEAD~1"' } },
      { name: 'bash', arguments: { command: 'git -C . branch -D x' } },
      { name: 'write', arguments: { path: '.git/hooks/pre-commit', content: '#!/bin/sh\ntouch planted\n' } },
      { name: 'bash', arguments: { command: "sh -c 'echo > .git/hooks/pre-commit'" } },
      { name: 'write', arguments: { path: OUTSIDE, content: 'escaped\n' } },
      { name: 'bash', arguments: { command: 'git status --porcelain > status.txt && echo honest > honest.txt' } },
    ],
  },
  { kind: 'text', text: 'Done.' },
];

function head(repo: string): string {
  return git(repo, 'rev-parse', 'HEAD').trim();
}

describe('guardrails with the real pi', () => {
  it('blocks each destructive call, tells the model the rule, and lets the honest one run', async () => {
    const g = await guarded(HOSTILE);
    const before = head(g.repo);
    const result = await g.run();
    expect(result.status).toBe('success');

    // Nothing happened on disk or in git.
    expect(execFileSync('git', ['for-each-ref'], { cwd: g.remote, encoding: 'utf8' })).toBe('');
    expect(head(g.repo)).toBe(before);
    expect(git(g.repo, 'rev-parse', '--verify', 'refs/heads/x').trim()).toBe(before);
    expect(existsSync(path.join(g.repo, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(existsSync(OUTSIDE)).toBe(false);
    // The honest command in the same turn ran.
    expect(readFileSync(path.join(g.repo, 'honest.txt'), 'utf8')).toBe('honest\n');

    // The model was told, rule by rule.
    const results = toolResults(g.requests()[1]!).map((r) => r.text);
    for (const rule of ['git-push', 'git-reset', 'git-branch', 'write-git-dir', 'write-outside-repo']) {
      expect(
        results.some((text) => text.includes(`[${rule}]`) && text.includes('Blocked by the pi-harness guardrails')),
        rule,
      ).toBe(true);
    }
    expect(results.filter((text) => text.includes('[write-git-dir]'))).toHaveLength(2);
    expect(result.toolErrors).toBe(6);

    // The harness gets one record per block, with the role.
    const { records } = readBlockRecords(g.logFile);
    expect(records.map((r) => r.rule).sort()).toEqual(
      ['git-branch', 'git-push', 'git-reset', 'write-git-dir', 'write-git-dir', 'write-outside-repo'].sort(),
    );
    expect(records.every((r) => r.role === 'developer' && r.action === 'blocked' && r.iteration === 3)).toBe(true);
    expect(records.find((r) => r.rule === 'git-push')).toMatchObject({ tool: 'bash', command: 'git push origin HEAD' });
    expect(records.find((r) => r.tool === 'write' && r.rule === 'write-git-dir')).toMatchObject({
      path: '.git/hooks/pre-commit',
    });
  });

  it('git refuses a push the classifier cannot see (a program spawning git)', async () => {
    const spawnPush =
      "node -e \"require('child_process').execFileSync('git', ['push', 'origin', 'HEAD'], { stdio: 'inherit' })\"";
    const g = await guarded([
      { kind: 'tool_calls', calls: [{ name: 'bash', arguments: { command: spawnPush } }] },
      { kind: 'text', text: 'Done.' },
    ]);
    await g.run();
    expect(execFileSync('git', ['for-each-ref'], { cwd: g.remote, encoding: 'utf8' })).toBe('');
    expect(toolResults(g.requests()[1]!)[0]!.text).toMatch(/transport '?file'? not allowed/);
  });

  it('without a context file, enforces fail-safe defaults and says so', async () => {
    const g = await guarded(
      [
        {
          kind: 'tool_calls',
          calls: [
            { name: 'bash', arguments: { command: 'git push origin HEAD' } },
            { name: 'bash', arguments: { command: 'git reset --soft HEAD~1' } },
          ],
        },
        { kind: 'text', text: 'Done.' },
      ],
      'no-context',
    );
    const before = head(g.repo);
    await g.run();
    expect(head(g.repo)).toBe(before);
    const results = toolResults(g.requests()[1]!).map((r) => r.text);
    expect(results[0]).toContain('[git-push]');
    expect(results[1]).toContain('[git-reset]');
    expect(results[0]).toMatch(/cannot be read.*enforcing with defaults/s);
    expect(readBlockRecords(g.logFile).records[0]?.contextProblem).toMatch(/cannot be read/);
  });

  it('in warn mode lets the call run and records it', async () => {
    const g = await guarded(
      [
        { kind: 'tool_calls', calls: [{ name: 'bash', arguments: { command: 'git branch -D x' } }] },
        { kind: 'text', text: 'Done.' },
      ],
      'warn',
    );
    await g.run();
    expect(git(g.repo, 'branch', '--list', 'x')).toBe('');
    expect(readBlockRecords(g.logFile).records).toMatchObject([{ rule: 'git-branch', action: 'warned' }]);
  });

  it("blocks beside the loadout extension: one pi, the role's tools and prompt, the guard's rules", async () => {
    const g = await guarded(
      [
        {
          kind: 'tool_calls',
          calls: [
            { name: 'bash', arguments: { command: 'git push origin HEAD' } },
            { name: 'write', arguments: { path: 'tester-wrote.txt', content: 'no\n' } },
            { name: 'bash', arguments: { command: 'echo honest > honest.txt' } },
          ],
        },
        { kind: 'text', text: 'VERDICT: PASS' },
      ],
      'enforce',
      { toolUniverse: ['read', 'edit', 'write', 'bash'], compactTools: true },
    );
    const offered = ['read', 'bash', 'edit', 'write'];
    const result = await g.run({
      role: 'tester',
      tools: ['read', 'bash'],
      offeredTools: offered,
      systemPrompt: 'Lean.\n',
    });
    expect(result.status).toBe('success');
    // The loadout extension's work: the harness's prompt, and the write outside the role refused.
    const system = chatMessages(g.requests()[0]!).find((m) => m.role === 'system' || m.role === 'developer');
    expect(contentText(system?.content)).toBe('Lean.\n');
    expect(existsSync(path.join(g.repo, 'tester-wrote.txt'))).toBe(false);
    // The guardrails' work in the same pi: the push blocked and recorded, the honest call ran.
    expect(execFileSync('git', ['for-each-ref'], { cwd: g.remote, encoding: 'utf8' })).toBe('');
    expect(toolResults(g.requests()[1]!)[0]!.text).toContain('[git-push]');
    expect(readBlockRecords(g.logFile).records.map((r) => r.rule)).toEqual(['git-push']);
    expect(readFileSync(path.join(g.repo, 'honest.txt'), 'utf8')).toBe('honest\n');
    expect(result.toolErrors).toBe(2);
  });
});
