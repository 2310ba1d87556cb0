/**
 * clear-history after a real run (real pi, scripted model): everything the harness made goes, the
 * project's commits and files stay, rescue refs stay until --refs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { gitSync } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-dir.js';
import { loopRepo, say, write, type LoopRepo } from './loop-helpers.js';

let current: LoopRepo | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('clear-history after a real run', () => {
  it('leaves only tracked files, keeps rescue refs until --refs', { timeout: 120_000 }, async () => {
    const r = await loopRepo({
      tasks: '# Tasks\n\n- [ ] Good task\n- [ ] Bad task\n',
      config: { maxTaskAttempts: 1 },
      plans: {
        developer: [
          [write('good.txt', 'good\n'), say('Done.')],
          [write('bad.txt', 'bad\n'), say('Done.')],
        ],
        tester: [[say('VERDICT: PASS')], [say('Wrong.\nVERDICT: FAIL')]],
        testerRecheck: [[say('Still wrong.\nVERDICT: FAIL')]],
        developerFix: [[write('bad.txt', 'worse\n'), say('Tried.')]],
      },
    });
    current = r;
    // pi's own agent dir outside the repo, so that everything left inside is the harness's or the project's.
    const env = { PI_CODING_AGENT_DIR: await tempDir('pi-agent-dir-') };
    const run = await r.run('run', env);
    expect(run.code).toBe(1);
    const commits = r.log();
    expect(commits).toEqual(['Good task', 'initial']);
    const tracked = gitSync(r.repo, 'ls-files').split('\n').filter(Boolean).sort();
    expect(gitSync(r.repo, 'status', '--porcelain', '--ignored')).toContain('!! .pi-harness/');
    expect(gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim()).not.toBe('');

    const cleared = await cli(['clear-history', '--yes'], { cwd: r.repo, env });
    expect(cleared.stderr).toBe('');
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toContain('.pi-harness/');
    expect(cleared.stdout).toMatch(/rescue ref\(s\).*add --refs to remove them too/);
    expect(gitSync(r.repo, 'status', '--porcelain', '--ignored')).toBe('');
    expect(gitSync(r.repo, 'ls-files').split('\n').filter(Boolean).sort()).toEqual(tracked);
    expect(r.log()).toEqual(commits);
    expect(gitSync(r.repo, 'for-each-ref', '--format=%(refname)', 'refs/pi-harness/rescue').trim()).not.toBe('');

    const refs = await cli(['clear-history', '--yes', '--refs'], { cwd: r.repo, env });
    expect(refs.code).toBe(0);
    expect(gitSync(r.repo, 'for-each-ref', 'refs/pi-harness')).toBe('');
    const report = await cli(['report'], { cwd: r.repo, env });
    expect(report.stdout).toContain('No runs yet');
  });
});
