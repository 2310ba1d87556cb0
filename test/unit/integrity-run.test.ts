import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/load.js';
import { defaultTestGlobs } from '../../src/integrity/index.js';
import { integrityOptions, RunIntegrity } from '../../src/loop/integrity-run.js';
import type { CommandResult } from '../../src/verify/run-command.js';
import { withTrailers } from '../../src/loop/commit-step.js';

const REPO = '/work/repo';
const configOf = (object: Record<string, unknown>, file: string | null = `${REPO}/pi.config.json`) =>
  configFromObject(object, file, REPO, {}).config;

const result = (outcome: CommandResult['outcome'], output = 'ℹ tests 3'): CommandResult => ({
  outcome,
  command: 'node --test',
  exitCode: outcome === 'passed' ? 0 : 1,
  signal: null,
  output,
  droppedBytes: 0,
  durationMs: 10,
});

describe('what the checks take from the configuration read at run start', () => {
  it('names the config, instruction and task files repository-relative', () => {
    const options = integrityOptions(
      configOf({
        testCommand: 'npm test',
        developerInstructionsFile: 'docs/DEV.md',
        testerInstructionsFile: './docs/TESTER.md',
        taskFile: 'plan/TODOS.md',
        protectedPaths: ['schema/**'],
        integrityAllow: ['ci-config-edited'],
      }),
    );
    expect(options).toMatchObject({
      harnessConfigFile: 'pi.config.json',
      instructionFiles: ['docs/DEV.md', 'docs/TESTER.md'],
      taskFile: 'plan/TODOS.md',
      testCommand: 'npm test',
      protectedPaths: ['schema/**'],
      allow: ['ci-config-edited'],
    });
    expect(options.testGlobs).toEqual(defaultTestGlobs());
  });

  it('leaves out files outside the repository, and testGlobs replaces the defaults', () => {
    const options = integrityOptions(
      configOf({ developerInstructionsFile: '/etc/dev.md', testGlobs: ['checks/**/*.js'] }, '/home/me/pi.config.json'),
    );
    expect(options.harnessConfigFile).toBeUndefined();
    expect(options.instructionFiles).toEqual([]);
    expect(options.testGlobs).toEqual(['checks/**/*.js']);
  });
});

describe('the passing verifications a run remembers', () => {
  it('finds a passing verification by the tree it ran on, never a failing one', () => {
    const memory = new RunIntegrity();
    memory.remember('tree-a', result('passed', 'a'));
    memory.remember('tree-b', result('failed', 'b'));
    memory.remember(undefined, result('passed'));
    expect(memory.find('tree-a')).toMatchObject({ tree: 'tree-a', output: 'a', truncated: false });
    expect(memory.find('tree-b')).toBeUndefined();
    expect(memory.find(undefined)).toBeUndefined();
  });

  it('keeps the latest trees only', () => {
    const memory = new RunIntegrity();
    for (let i = 0; i < 40; i++) memory.remember(`tree-${i}`, result('passed'));
    expect(memory.find('tree-0')).toBeUndefined();
    expect(memory.find('tree-39')).toBeDefined();
  });

  it('runs the run-start verification once; iterations starting from its tree meanwhile wait for it', async () => {
    const memory = new RunIntegrity();
    const order: string[] = [];
    let finish = () => {};
    const first = memory.startVerification('tree-a', async () => {
      order.push('first runs');
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      memory.remember('tree-a', result('passed'));
      order.push('first done');
    });
    const same = memory
      .startVerification('tree-a', async () => void order.push('never'))
      .then((ran) => {
        order.push(`same tree: ran ${ran}, counts ${memory.find('tree-a') ? 'known' : 'unknown'}`);
      });
    const other = memory
      .startVerification('tree-b', async () => void order.push('never'))
      .then((ran) => {
        order.push(`other tree: ran ${ran}`);
      });
    await other;
    expect(order).toEqual(['first runs', 'other tree: ran false']);
    finish();
    expect(await first).toBe(true);
    await same;
    expect(order).toEqual(['first runs', 'other tree: ran false', 'first done', 'same tree: ran false, counts known']);
    expect(await memory.startVerification('tree-a', async () => void order.push('never'))).toBe(false);
    expect(order).not.toContain('never');
  });
});

describe('commit messages with trailers', () => {
  it('end with the trailers as their own paragraph', () => {
    expect(withTrailers('Add mul', ['Integrity-Finding: ci-config-edited: .github/workflows/ci.yml'])).toBe(
      'Add mul\n\nIntegrity-Finding: ci-config-edited: .github/workflows/ci.yml\n',
    );
    expect(withTrailers('Add mul\n\nBody.\n', ['A: b', 'C: d'])).toBe('Add mul\n\nBody.\n\nA: b\nC: d\n');
    expect(withTrailers('Add mul', [])).toBe('Add mul');
  });
});
