/**
 * `run --parallel` and the integrity baseline: the run verifies its start tree once, and workers
 * starting together from that tree wait for it, so every first iteration gets test counts to
 * compare (none goes without them because another worker's run had not ended yet).
 */
import { describe, expect, it } from 'vitest';
import { say, write } from './loop-helpers.js';
import { eventsOfEveryRun, PASS_VERDICT, parallelRepoMaker } from './parallel-helpers.js';

const setup = parallelRepoMaker();
const NAMES = ['alpha', 'beta', 'gamma'];

describe('run --parallel integrity baseline', () => {
  it("gives every worker's first iteration the counts of the run's one verification at start", {
    timeout: 180_000,
  }, async () => {
    const r = await setup({
      tasks: `# Tasks\n\n${NAMES.map((name) => `- [ ] Add ${name}\n`).join('')}`,
      files: { 'test/smoke.test.mjs': "import test from 'node:test';\n\ntest('smoke', () => {});\n" },
      config: { parallel: 3, testCommand: 'node --test' },
      plans: {
        developer: [
          (view) => {
            const name = NAMES.find((candidate) => view.prompt.includes(`Add ${candidate}`)) ?? 'alpha';
            return [write(`${name}.txt`, `${name}\n`), say('Done.')][view.step] ?? say('Done.');
          },
        ],
        tester: [() => PASS_VERDICT],
      },
    });
    const result = await r.run('run');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const events = await eventsOfEveryRun(r.repo);
    const starts = events.filter((e) => e.type === 'integrity_baseline_start');
    expect(starts).toHaveLength(1);
    const baselines = events.flatMap((e) => (e.type === 'integrity_baseline' ? [e] : []));
    expect(baselines.map((e) => e.iteration).sort()).toEqual([1, 2, 3]);
    for (const baseline of baselines) {
      expect(baseline.counts, `iteration ${baseline.iteration}`).toMatchObject({ runner: 'node-test', run: 1 });
    }
  });
});
