/** When `pi-harness` starts itself again with glibc's malloc settings, and what it leaves to its children. */
import { describe, expect, it } from 'vitest';
import {
  dropTunedEnv,
  HARNESS_MALLOC_ENV,
  HARNESS_NODE_OPTIONS,
  type StartFacts,
  TUNED_START_ENV,
  tunedStartPlan,
} from '../../src/cli/tuned-start.js';

const facts = (over: Partial<StartFacts> = {}): StartFacts => ({
  argv: ['/usr/bin/node', '/opt/pi-harness/dist/cli/main.js', 'run', '--parallel', '2'],
  execArgv: ['--enable-source-maps'],
  execPath: '/usr/bin/node',
  env: { PATH: '/usr/bin', HOME: '/home/u' },
  platform: 'linux',
  canExec: true,
  ...over,
});

describe('the tuned start', () => {
  it('restarts `run` on Linux with the settings, the same command line and a note of what it added', () => {
    const plan = tunedStartPlan(facts());
    expect(plan).toEqual({
      file: '/usr/bin/node',
      args: [
        '/usr/bin/node',
        ...HARNESS_NODE_OPTIONS,
        '--enable-source-maps',
        '/opt/pi-harness/dist/cli/main.js',
        'run',
        '--parallel',
        '2',
      ],
      env: {
        PATH: '/usr/bin',
        HOME: '/home/u',
        ...HARNESS_MALLOC_ENV,
        [TUNED_START_ENV]: Object.keys(HARNESS_MALLOC_ENV).join(','),
      },
    });
  });

  it('does not restart other commands, other systems, a Node without execve, or a restarted run', () => {
    expect(tunedStartPlan(facts({ argv: ['/usr/bin/node', 'main.js', 'status'] }))).toBeUndefined();
    expect(tunedStartPlan(facts({ argv: ['/usr/bin/node', 'main.js'] }))).toBeUndefined();
    expect(tunedStartPlan(facts({ platform: 'darwin' }))).toBeUndefined();
    expect(tunedStartPlan(facts({ canExec: false }))).toBeUndefined();
    expect(tunedStartPlan(facts({ env: { [TUNED_START_ENV]: 'MALLOC_ARENA_MAX' } }))).toBeUndefined();
  });

  it("leaves the user's own settings as they are, and adds only the missing ones", () => {
    const env = { MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '65536' };
    const plan = tunedStartPlan(facts({ env }));
    expect(plan?.env).toMatchObject({ ...env, [TUNED_START_ENV]: 'MALLOC_TRIM_THRESHOLD_' });
    const all = Object.fromEntries(Object.keys(HARNESS_MALLOC_ENV).map((name) => [name, '1']));
    expect(tunedStartPlan(facts({ env: all }))).toBeUndefined();
  });

  it("does not add a Node option the command line already gives (the user's value stands)", () => {
    const plan = tunedStartPlan(facts({ execArgv: ['--v8-pool-size=8'] }));
    expect(plan?.args.slice(0, 3)).toEqual(['/usr/bin/node', '--v8-pool-size=8', '/opt/pi-harness/dist/cli/main.js']);
  });

  it('the restarted image drops what the restart added, and nothing the user set', () => {
    const env: NodeJS.ProcessEnv = {
      ...HARNESS_MALLOC_ENV,
      MALLOC_ARENA_MAX: '8',
      PATH: '/usr/bin',
      [TUNED_START_ENV]: 'MALLOC_MMAP_THRESHOLD_,MALLOC_TRIM_THRESHOLD_,PATH',
    };
    dropTunedEnv(env);
    expect(env).toEqual({ MALLOC_ARENA_MAX: '8', PATH: '/usr/bin' });
    const untouched = { PATH: '/usr/bin', MALLOC_ARENA_MAX: '2' };
    dropTunedEnv(untouched);
    expect(untouched).toEqual({ PATH: '/usr/bin', MALLOC_ARENA_MAX: '2' });
  });
});
