/**
 * `run --parallel` and the integrity baseline: the run verifies its start tree once, in the user's
 * work tree as it starts, and workers starting from that tree wait for what is left of it, so every
 * first iteration gets test counts to compare (none goes without them because another worker's run
 * had not ended yet).
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { say, write } from './loop-helpers.js';
import { eventsOfEveryRun, PASS_VERDICT, parallelRepoMaker } from './parallel-helpers.js';

const setup = parallelRepoMaker();
const NAMES = ['alpha', 'beta', 'gamma'];
const logDirs: string[] = [];
afterEach(() => {
  for (const dir of logDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('run --parallel integrity baseline', () => {
  it("gives every worker's first iteration the counts of the run's one verification at start", {
    timeout: 180_000,
  }, async () => {
    const logDir = mkdtempSync(path.join(tmpdir(), 'parallel-integrity-'));
    logDirs.push(logDir);
    const log = path.join(logDir, 'where.log');
    const r = await setup({
      tasks: `# Tasks\n\n${NAMES.map((name) => `- [ ] Add ${name}\n`).join('')}`,
      files: { 'test/smoke.test.mjs': "import test from 'node:test';\n\ntest('smoke', () => {});\n" },
      // Each run of the test command says where it ran.
      config: { parallel: 3, testCommand: `pwd -P >> ${log} && node --test` },
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
    // The one run at start was in the user's work tree, before any worker's verification.
    expect(readFileSync(log, 'utf8').split('\n')[0]).toBe(realpathSync(r.repo));
    const baselines = events.flatMap((e) => (e.type === 'integrity_baseline' ? [e] : []));
    expect(baselines.map((e) => e.iteration).sort()).toEqual([1, 2, 3]);
    for (const baseline of baselines) {
      expect(baseline.counts, `iteration ${baseline.iteration}`).toMatchObject({ runner: 'node-test', run: 1 });
    }
  });
});
