/**
 * Hooks an agent plants in .git/hooks must never run inside the harness's own git calls: a
 * reference-transaction hook that fails would make a rescue throw, a pre-commit hook would run the
 * agent's code with the harness's rights. Both are planted for real here and must stay silent.
 */
import { existsSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitFiles } from '../../../src/workspace/commit.js';
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
});
