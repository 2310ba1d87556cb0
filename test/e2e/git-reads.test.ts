/**
 * The work tree is read once per step and handed down, not re-read by every part of the step.
 * Every git command the harness runs goes through a logging `git` first on the PATH; one iteration
 * (developer, a failing verification, developerFix, a passing one, tester PASS, harness commit) is
 * then counted by kind.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closedAfterEach } from '../helpers/closing.js';
import { tempDir } from '../helpers/temp-dir.js';
import { loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A `git` that logs its arguments, one command per line, then runs the real one. */
async function loggingGit(): Promise<{ log: string; dir: string }> {
  const dir = await tempDir('logging-git-');
  const log = path.join(dir, 'calls.log');
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const script = path.join(dir, 'git');
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(script, 0o755);
  writeFileSync(log, '');
  return { log, dir };
}

function count(calls: readonly string[], pattern: RegExp): number {
  return calls.filter((call) => pattern.test(call)).length;
}

describe('git reads per step', () => {
  it('one iteration reads the tree once per step', { timeout: 60_000 }, async () => {
    const r = await setup({
      tasks: '# Tasks\n\n- [ ] Add the file\n',
      config: { testCommand: 'test -f fixed.txt' },
      plans: {
        developer: [[write('a.txt', 'a\n'), say('Wrote a.txt.')]],
        developerFix: [[write('fixed.txt', 'x\n'), say('Fixed.')]],
        tester: [[say('Fine.\nVERDICT: PASS')]],
      },
    });
    const git = await loggingGit();
    vi.stubEnv('PATH', `${git.dir}${path.delimiter}${process.env.PATH ?? ''}`);
    const result = await r.run('once');
    expect(result.code).toBe(0);
    expect(r.log()).toEqual(['Add the file', 'initial']);
    const calls = readFileSync(git.log, 'utf8').trim().split('\n');
    // One content fingerprint (write-tree) per step that a turn compares against: the start, the
    // run's one verification for the integrity baseline, the developer, each verification (the
    // test command may write files), the fix and the tester.
    // (Before the tree was read once per step, every turn took two and read the changes twice.)
    // Two more belong to the guardrail snapshot taken before the iteration: the tree that pins its
    // saved files and an empty tree for its pin commit.
    expect(count(calls, /(^| )write-tree$/)).toBe(7 + 2);
    // Those seven reads, the commit step's read of what it committed, and the run's dirty-tree check
    // before the first iteration. (After ticking, the commit step knows what is uncommitted: what the
    // tester's step saw, plus the task file.)
    expect(count(calls, /(^| )status --porcelain/)).toBe(9);
    // The branch comes with each status: neither the start nor the commit's check asks for it.
    expect(count(calls, /(^| )symbolic-ref -q HEAD$/)).toBe(0);
    // What was committed since the start is asked only once HEAD has moved (after the commit).
    expect(count(calls, /(^| )diff --name-only/)).toBe(1);
    expect(count(calls, /(^| )rev-parse --git-path index$/)).toBe(1);
  });
});
