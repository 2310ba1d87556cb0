/**
 * Hooks an agent plants in .git/hooks must never run inside the harness's own git calls: a
 * reference-transaction hook that fails would make a rescue throw, a pre-commit hook would run the
 * agent's code with the harness's rights. Both are planted for real here and must stay silent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyRunStartHooks } from '../../../src/guardrails/git-env.js';
import { commitFiles } from '../../../src/workspace/commit.js';
import { CommitHookError } from '../../../src/workspace/hooked-commit.js';
import { gitPath } from '../../../src/workspace/git.js';
import { rescueWork } from '../../../src/workspace/rescue.js';
import { findRepoRoot } from '../../../src/workspace/repo-root.js';
import { gitSync, makeRepo, writeFiles } from '../../helpers/git-repo.js';

/** Plants `name` in .git/hooks: it leaves a marker file and fails. */
async function plantHook(repo: string, name: string): Promise<string> {
  const marker = path.join(repo, '.git', `${name}.ran`);
  const hook = path.join(repo, '.git', 'hooks', name);
  await writeFile(hook, `#!/bin/sh\necho ran > '${marker}'\nexit 1\n`);
  await chmod(hook, 0o755);
  return marker;
}

describe("the harness's own git runs without hooks", () => {
  it('rescues and commits with a failing reference-transaction and pre-commit hook planted', async () => {
    const repo = await makeRepo({ 'a.ts': 'a\n' });
    const start = gitSync(repo, 'rev-parse', 'HEAD').trim();
    const markers = [await plantHook(repo, 'reference-transaction'), await plantHook(repo, 'pre-commit')];
    // The hooks are live for a plain git, or the test would prove nothing.
    expect(() => gitSync(repo, 'update-ref', 'refs/heads/probe', 'HEAD')).toThrow();
    expect(() => gitSync(repo, 'commit', '--allow-empty', '-qm', 'probe')).toThrow();
    for (const marker of markers) {
      expect(existsSync(marker)).toBe(true);
      await rm(marker);
    }

    await writeFiles(repo, { 'a.ts': 'agent edit\n', 'new.ts': 'new\n' });
    const rescue = await rescueWork({
      cwd: repo,
      startCommit: start,
      preDirty: new Set(),
      harnessPaths: ['.pi-harness'],
      refName: 'refs/pi-harness/rescue/run/1',
      patchFile: path.join(repo, '.pi-harness', 'rescue.patch'),
      message: 'rescue',
    });
    expect(rescue?.ref).toBe('refs/pi-harness/rescue/run/1');
    const committed = await commitFiles(repo, ['a.ts'], 'harness commit');
    expect(committed?.files).toEqual(['a.ts']);
    expect(gitSync(repo, 'log', '-1', '--format=%s').trim()).toBe('harness commit');
    await findRepoRoot(repo);
    for (const marker of markers) expect(existsSync(marker)).toBe(false);
  });

  it("still finds the repository's own hooks where it configures them", async () => {
    const repo = await makeRepo();
    gitSync(repo, 'config', 'core.hooksPath', '.husky');
    expect(await gitPath(repo, 'hooks/pre-commit')).toBe(path.join(repo, '.husky', 'pre-commit'));
  });

  it("its commits run the repository's hooks from the run-start copy, never a hook planted since", async () => {
    const repo = await makeRepo({ 'a.ts': 'a\n' });
    const hook = path.join(repo, '.git', 'hooks', 'pre-commit');
    await writeFile(hook, `#!/bin/sh\necho user >> '${repo}/.git/ran'\n`);
    await chmod(hook, 0o755);
    const copy = path.join(repo, '.git', 'pi-harness', 'hooks', 'run1');
    await copyRunStartHooks(repo, copy);
    await writeFile(hook, `#!/bin/sh\necho planted >> '${repo}/.git/ran'\nexit 1\n`);
    await writeFiles(repo, { 'a.ts': 'changed\n' });
    const committed = await commitFiles(repo, ['a.ts'], 'with hooks', { dir: copy, timeoutMs: 10_000 });
    expect(committed?.files).toEqual(['a.ts']);
    expect(readFileSync(path.join(repo, '.git', 'ran'), 'utf8')).toBe('user\n');
  });

  it('a refusing hook fails the commit with its output; a hanging one is stopped at the time limit', async () => {
    const repo = await makeRepo({ 'a.ts': 'a\n' });
    const hooks = path.join(repo, '.git', 'copy');
    await writeFiles(repo, { '.git/copy/pre-commit': '#!/bin/sh\necho "style: a.ts is not formatted" >&2\nexit 1\n' });
    await chmod(path.join(hooks, 'pre-commit'), 0o755);
    await writeFiles(repo, { 'a.ts': 'changed\n' });
    const refused = await commitFiles(repo, ['a.ts'], 'x', { dir: hooks, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CommitHookError);
    expect((refused as CommitHookError).output).toContain('style: a.ts is not formatted');
    expect((refused as CommitHookError).message).toMatch(/\(pre-commit\) refused the commit/);
    expect(gitSync(repo, 'log', '--format=%s')).toBe('initial\n');

    await writeFiles(repo, { '.git/copy/pre-commit': '#!/bin/sh\nexec sleep 300\n' });
    const started = Date.now();
    const hung = await commitFiles(repo, ['a.ts'], 'x', { dir: hooks, timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(hung).toMatchObject({ name: 'CommitHookError', timedOut: true });
    expect(gitSync(repo, 'log', '--format=%s')).toBe('initial\n');
  });
});
